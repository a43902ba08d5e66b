//go:build !race

package worker_test

// raceEnabled says the race detector is on: the code runs several times
// slower, so tests that measure rates scale their load down.
const raceEnabled = false
