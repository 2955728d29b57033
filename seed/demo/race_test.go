//go:build race

package demo

func init() { raceEnabled = true }
