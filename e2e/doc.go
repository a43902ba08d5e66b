// Package e2e holds cpush's end-to-end tests: they build the cpush binary
// and run it as separate processes (the simulator, several workers, the
// producer CLI) on loopback ports, against the test Redis.
package e2e
