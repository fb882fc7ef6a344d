package site

import (
	"runtime"
	"sync"
	"sync/atomic"
)

// forEach calls fn(i) for every i from 0 to n-1 on every core, starting
// them in order of i, and returns when all have returned. fn keeps its
// results by i, so no two calls share anything.
func forEach(n int, fn func(i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				fn(i)
			}
		})
	}
	wg.Wait()
}
