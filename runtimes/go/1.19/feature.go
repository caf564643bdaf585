// New in Go 1.19: the typed atomics of sync/atomic; generics (1.18) work too.
package main

import (
	"fmt"
	"sync/atomic"
)

func sum[T int | float64](values ...T) T {
	var total T
	for _, v := range values {
		total += v
	}
	return total
}

func main() {
	var count atomic.Int64
	count.Add(2)
	if count.Load() != 2 || sum(1, 2, 3) != 6 {
		panic("unexpected results")
	}
	fmt.Println("OK")
}
