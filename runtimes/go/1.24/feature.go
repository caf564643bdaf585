// New since Go 1.22: range over an int and over functions (1.23); in 1.24 generic type aliases and strings.Lines.
package main

import (
	"fmt"
	"strings"
)

type Set[T comparable] = map[T]struct{}

func countdown(from int) func(func(int) bool) {
	return func(yield func(int) bool) {
		for i := range from {
			if !yield(from - i) {
				return
			}
		}
	}
}

func main() {
	seen := Set[int]{}
	for n := range countdown(3) {
		seen[n] = struct{}{}
	}
	lines := 0
	for range strings.Lines("a\nb\n") {
		lines++
	}
	if len(seen) != 3 || lines != 2 {
		panic("unexpected results")
	}
	fmt.Println("OK")
}
