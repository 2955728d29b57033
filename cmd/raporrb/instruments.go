package main

import (
	"fmt"
	"io"
	"os"
	"text/tabwriter"

	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/seed/instruments"
)

const instrumentsUsage = `usage: raporrb instruments validate FILE...   check instrument sheets (YAML)
       raporrb instruments list              list the embedded instruments`

// runInstruments implements `raporrb instruments`: validate exits 0 when every sheet is valid,
// 1 when one is not (its one-line error on stderr), 2 on a usage error.
func runInstruments(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, instrumentsUsage)
		return 2
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "validate":
		if len(rest) == 0 {
			fmt.Fprintln(stderr, instrumentsUsage)
			return 2
		}
		code := 0
		for _, file := range rest {
			if !validateSheet(file, stdout, stderr) {
				code = 1
			}
		}
		return code
	case "list":
		if len(rest) != 0 {
			fmt.Fprintln(stderr, instrumentsUsage)
			return 2
		}
		cat, err := instrument.LoadFS(instruments.FS)
		if err != nil {
			fmt.Fprintln(stderr, "raporrb instruments:", err)
			return 1
		}
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		for _, in := range cat.List() {
			fmt.Fprintf(tw, "%s\t%s\n", in.ID, in.Title)
		}
		if err := tw.Flush(); err != nil {
			fmt.Fprintln(stderr, "raporrb instruments:", err)
			return 1
		}
		return 0
	case "-h", "--help", "help":
		fmt.Fprintln(stdout, instrumentsUsage)
		return 0
	default:
		fmt.Fprintf(stderr, "raporrb instruments: unknown subcommand %q\n%s\n", cmd, instrumentsUsage)
		return 2
	}
}

// validateSheet prints "FILE: ok (id, N indicators)" or the sheet's one-line error.
func validateSheet(file string, stdout, stderr io.Writer) bool {
	data, err := os.ReadFile(file) // #nosec G304 G703 -- the operator names the file to check on the command line
	if err != nil {
		fmt.Fprintln(stderr, "raporrb instruments:", err)
		return false
	}
	in, err := instrument.Parse(file, data)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return false
	}
	fmt.Fprintf(stdout, "%s: ok (%s, %d indicators)\n", file, in.ID, in.NumIndicators())
	return true
}
