// Run 1 of the warm leak test (docs/WARM.md): leaves an environment variable and a package variable set, as a warm
// process that outlived its run would keep them, and prints "dirty": run 2 printing it would mean run 1's binary ran
// again.
package main

import (
	"fmt"
	"os"
)

var leaked = false

func main() {
	leaked = true
	os.Setenv("WARM_LEAK", "1")
	fmt.Println("dirty", leaked)
}
