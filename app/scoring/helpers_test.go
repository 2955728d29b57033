package scoring

import (
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/seed/instruments"
)

// catalog is the embedded catalog, the sheets the application ships with.
var catalog = func() *instrument.Catalog {
	c, err := instrument.LoadFS(instruments.FS)
	if err != nil {
		panic(err)
	}
	return c
}()

func sheet(t testing.TB, id string) *instrument.Instrument {
	t.Helper()
	in, ok := catalog.Get(id)
	if !ok {
		t.Fatalf("instrument %s not in the embedded catalog", id)
	}
	return in
}

func number(x float64) Answer { return Answer{Number: &x} }
func opt(key string) Answer   { return Answer{Option: key} }

// m lists answers by code: a string is an option key, a number is a number.
type m map[string]any

func (mods m) answer(t testing.TB, code string) Answer {
	switch v := mods[code].(type) {
	case string:
		return opt(v)
	case float64:
		return number(v)
	case int:
		return number(float64(v))
	}
	t.Fatalf("answer for %s: unsupported %T", code, mods[code])
	return Answer{}
}

// merge returns the union of answer lists, later ones winning.
func merge(ms ...m) m {
	out := m{}
	for _, x := range ms {
		maps.Copy(out, x)
	}
	return out
}

// bestAnswer is the highest-valued answer of a scale.
func bestAnswer(s instrument.Scale) Answer {
	switch s.Kind {
	case instrument.KindChoice:
		o := slices.MaxFunc(s.Options, func(a, b instrument.Option) int { return cmpFloat(a.Value, b.Value) })
		return opt(o.Key)
	case instrument.KindPercent:
		return number(100)
	default:
		return number(*s.Max)
	}
}

// worstAnswer is the lowest-valued answer of a scale.
func worstAnswer(s instrument.Scale) Answer {
	switch s.Kind {
	case instrument.KindChoice:
		o := slices.MinFunc(s.Options, func(a, b instrument.Option) int { return cmpFloat(a.Value, b.Value) })
		return opt(o.Key)
	case instrument.KindPercent:
		return number(0)
	default:
		return number(*s.Min)
	}
}

func cmpFloat(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// best answers every indicator with its best answer, then applies mods.
func best(t testing.TB, in *instrument.Instrument, mods m) Answers {
	t.Helper()
	as := Answers{}
	for _, ind := range in.Indicators() {
		as[ind.Code] = bestAnswer(in.Scales[ind.Scale])
	}
	for code := range mods {
		if _, ok := in.Indicator(code); !ok {
			t.Fatalf("mods: %s is not an indicator of %s", code, in.ID)
		}
		as[code] = mods.answer(t, code)
	}
	return as
}

// allOf answers every indicator of the instrument with the same answer.
func allOf(in *instrument.Instrument, a Answer) Answers {
	as := Answers{}
	for _, ind := range in.Indicators() {
		as[ind.Code] = a
	}
	return as
}

// worstUnder sets every indicator under an area to its worst answer.
func worstUnder(in *instrument.Instrument, as Answers, code string) {
	for _, ind := range in.Indicators() {
		for p := in.Parent(ind.Code); p != nil; p = in.Parent(p.Code) {
			if p.Code == code {
				as[ind.Code] = worstAnswer(in.Scales[ind.Scale])
				break
			}
		}
	}
}

func mustScore(t testing.TB, in *instrument.Instrument, as Answers, prev Previous) Result {
	t.Helper()
	r, err := Score(in, as, prev)
	if err != nil {
		t.Fatalf("Score(%s) = %v", in.ID, err)
	}
	return r
}

// failing lists the failed conditions of one predicate as node codes, or "previous:KEY".
func failing(in *instrument.Instrument, r Result, prev Previous, key string) []string {
	out := []string{}
	for _, f := range Explain(in, r, prev) {
		if f.Predicate != key {
			continue
		}
		if f.Previous != "" {
			out = append(out, "previous:"+f.Previous)
		} else {
			out = append(out, f.Node)
		}
	}
	slices.Sort(out)
	return out
}

// checkNodes compares selected node scores ("total" for the total) with their expected values.
func checkNodes(t *testing.T, r Result, want map[string]float64) {
	t.Helper()
	for code, w := range want {
		got, ok := r.Nodes[code]
		if code == instrument.TotalNode {
			got, ok = r.Total, true
		}
		if !ok || got != w {
			t.Errorf("%s = %v, want %v", code, got, w)
		}
	}
}

func gradeKey(r Result) string {
	if r.Grade == nil {
		return "<nil>"
	}
	return *r.Grade
}

func fmtAnswer(a Answer) string {
	if a.Number != nil {
		return fmt.Sprint(*a.Number)
	}
	return fmt.Sprintf("%q", a.Option)
}
