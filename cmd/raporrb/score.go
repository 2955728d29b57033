package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/scoring"
)

const scoreUsage = `usage: raporrb score -instrument ID [-previous KEY[,KEY]] [FILE|-]
  reads {"answers": {"CODE": "option" | number, ...}} from FILE or stdin and prints
  {"instrument", "total", "grade", "predicates", "nodes", "missing"} as one line of JSON`

// runScore implements `raporrb score`, a contract other tools rely on (DESIGN.md, "Contracts"):
// one line of JSON on stdout and exit 0, or one line on stderr and exit 2 for any bad input.
func runScore(args []string, stdin io.Reader, stdout, stderr io.Writer, cat *instrument.Catalog) int {
	fs := flag.NewFlagSet("score", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() { fmt.Fprintln(stderr, scoreUsage) }
	id := fs.String("instrument", "", "instrument `id`, e.g. zi-2021")
	previous := fs.String("previous", "", "the predicates the unit's earlier final result had, comma-separated (e.g. WBK); unlisted ones count as not had")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	fail := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "raporrb score: "+format+"\n", a...)
		return 2
	}

	if *id == "" {
		return fail("missing -instrument (one of: %s)", strings.Join(instrumentIDs(cat), ", "))
	}
	inst, ok := cat.Get(*id)
	if !ok {
		return fail("unknown instrument %q (one of: %s)", *id, strings.Join(instrumentIDs(cat), ", "))
	}
	var prev scoring.Previous
	fs.Visit(func(f *flag.Flag) {
		if f.Name == "previous" {
			prev = scoring.Previous{}
		}
	})
	if prev != nil {
		if err := parsePrevious(inst, *previous, prev); err != nil {
			return fail("%v", err)
		}
	}

	var in io.Reader
	switch fs.NArg() {
	case 0:
		in = stdin
	case 1:
		if name := fs.Arg(0); name == "-" {
			in = stdin
		} else {
			f, err := os.Open(name) // #nosec G304 -- the operator names the answers file on the command line
			if err != nil {
				return fail("%v", err)
			}
			defer f.Close()
			in = f
		}
	default:
		return fail("want at most one input file, got %d", fs.NArg())
	}

	raw, err := decodeAnswers(in)
	if err != nil {
		return fail("%v", err)
	}
	answers, err := scoring.ParseAnswers(inst, raw)
	if err != nil {
		return fail("%s", errMessage(err))
	}
	res, err := scoring.Score(inst, answers, prev)
	if err != nil {
		return fail("%s", errMessage(err))
	}
	if err := json.NewEncoder(stdout).Encode(res); err != nil {
		fmt.Fprintf(stderr, "raporrb score: writing the result: %v\n", err)
		return 1
	}
	return 0
}

// parsePrevious fills prev from "-previous WBK,WBBM". Every predicate of the instrument gets an
// entry: the flag lists the whole earlier result, so an unlisted predicate was not had.
func parsePrevious(inst *instrument.Instrument, list string, prev scoring.Previous) error {
	for _, p := range inst.Predicates {
		prev[p.Key] = false
	}
	for key := range strings.SplitSeq(list, ",") {
		key = strings.TrimSpace(key)
		if key == "" {
			continue
		}
		if _, ok := inst.Predicate(key); !ok {
			keys := make([]string, 0, len(inst.Predicates))
			for _, p := range inst.Predicates {
				keys = append(keys, p.Key)
			}
			if len(keys) == 0 {
				return fmt.Errorf("-previous: instrument %s has no predicates", inst.ID)
			}
			return fmt.Errorf("-previous: %q is not a predicate of %s (one of: %s)", key, inst.ID, strings.Join(keys, ", "))
		}
		prev[key] = true
	}
	return nil
}

// decodeAnswers reads exactly one {"answers": {...}} object, keeping numbers as json.Number so
// nothing is lost before the scale checks them.
func decodeAnswers(r io.Reader) (map[string]any, error) {
	var doc struct {
		Answers map[string]any `json:"answers"`
	}
	dec := json.NewDecoder(r)
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, errors.New(`empty input, want {"answers": {...}}`)
		}
		return nil, fmt.Errorf("malformed input: %w", err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("malformed input: more than one JSON value")
	}
	if doc.Answers == nil {
		return nil, errors.New(`malformed input: want {"answers": {...}}`)
	}
	return doc.Answers, nil
}

// errMessage prefers the user-facing message of an apperr (it names the indicator).
func errMessage(err error) string {
	if m := apperr.Message(err); m != "" {
		return m
	}
	return err.Error()
}

func instrumentIDs(cat *instrument.Catalog) []string {
	var out []string
	for _, in := range cat.List() {
		out = append(out, in.ID)
	}
	return out
}
