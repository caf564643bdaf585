// Run 2: prints exactly "clean" when nothing run 1 left is there and this program, not run 1's binary, is what ran.
package main

import (
	"fmt"
	"os"
	"strings"
)

var leaked = false

func main() {
	var dirty []string
	if leaked {
		dirty = append(dirty, "package variable")
	}
	if _, set := os.LookupEnv("WARM_LEAK"); set {
		dirty = append(dirty, "environment")
	}
	if len(dirty) == 0 {
		fmt.Println("clean")
	} else {
		fmt.Println("leaked: " + strings.Join(dirty, ", "))
	}
}
