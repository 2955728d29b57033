package scoring

// PlanPath against brute force on random small sheets, and the checks every planned path
// must pass (checkPath), shared with the catalog tests in path_test.go.

import (
	"fmt"
	"math/big"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rapor-rb/raporrb/app/instrument"
	rnum "github.com/rapor-rb/raporrb/app/num"
)

// randomSheet writes a small instrument: 2–3 roots, each a leaf or a parent of 2–3 areas (now
// and then one level deeper), 6–12 indicators on mixed scales (yes/no, an out-of-order ABCD, a
// percent, a 1–5 number and a survey-based 0–4 number), a predicate LULUS with a total min, a
// node min and an each_child_of, a predicate UNGGUL that requires LULUS, and four grades mixing
// above and min.
func randomSheet(rng *rand.Rand) string {
	type node struct {
		code   string
		kids   []*node
		scales []string
		raw    float64
	}
	nInd := 6 + rng.IntN(7)
	var roots, leaves, parents []*node
	for {
		roots, leaves, parents = nil, nil, nil
		for i := range 2 + rng.IntN(2) {
			root := &node{code: string(rune('A' + i))}
			roots = append(roots, root)
			if rng.IntN(3) == 0 {
				leaves = append(leaves, root)
				continue
			}
			parents = append(parents, root)
			for j := range 2 + rng.IntN(2) {
				kid := &node{code: fmt.Sprintf("%s.%d", root.code, j+1)}
				root.kids = append(root.kids, kid)
				if rng.IntN(4) > 0 {
					leaves = append(leaves, kid)
					continue
				}
				parents = append(parents, kid)
				for l := range 2 {
					leaf := &node{code: fmt.Sprintf("%s.%d", kid.code, l+1)}
					kid.kids = append(kid.kids, leaf)
					leaves = append(leaves, leaf)
				}
			}
		}
		if len(leaves) <= nInd {
			break
		}
	}
	pickScale := func() string {
		return [...]string{"yn", "yn", "yn", "abcd", "abcd", "pct", "pct", "n5", "n5", "srv"}[rng.IntN(10)]
	}
	for i := range nInd {
		leaf := leaves[i%len(leaves)]
		if i >= len(leaves) {
			leaf = leaves[rng.IntN(len(leaves))]
		}
		leaf.scales = append(leaf.scales, pickScale())
	}
	var sum func(n *node) float64
	sum = func(n *node) float64 {
		if len(n.kids) == 0 {
			n.raw = float64(1 + rng.IntN(9))
		}
		for _, k := range n.kids {
			n.raw += sum(k)
		}
		return n.raw
	}
	var total float64
	for _, r := range roots {
		total += sum(r)
	}
	weight := func(n *node) float64 { return n.raw * 100 / total } // scale_max 100: points = weight

	var b strings.Builder
	b.WriteString(`id: acak
title: Acak
scale_max: 100
scales:
  yn: {kind: choice, options: [{key: Ya, value: 1, text: Sudah}, {key: Tidak, value: 0, text: Belum}]}
  abcd: {kind: choice, options: [{key: B, value: 0.67, text: Sebagian besar}, {key: A, value: 1, text: Seluruhnya}, {key: D, value: 0, text: Belum}, {key: C, value: 0.33, text: Sebagian kecil}]}
  pct: {kind: percent}
  n5: {kind: number, min: 1, max: 5}
  srv: {kind: number, min: 0, max: 4, source: survey}
areas:
`)
	var write func(n *node, indent string)
	write = func(n *node, indent string) {
		fmt.Fprintf(&b, "%s- code: %s\n%s  title: Area %s\n%s  weight: %s\n", indent, n.code, indent, n.code,
			indent, strconv.FormatFloat(weight(n), 'g', -1, 64))
		if len(n.kids) > 0 {
			fmt.Fprintf(&b, "%s  areas:\n", indent)
			for _, k := range n.kids {
				write(k, indent+"  ")
			}
			return
		}
		fmt.Fprintf(&b, "%s  indicators:\n", indent)
		for i, s := range n.scales {
			fmt.Fprintf(&b, "%s  - {code: %s.%c, text: Soal, scale: %s}\n", indent, n.code, 'a'+i, s)
		}
	}
	for _, r := range roots {
		write(r, "")
	}

	all := append(slices.Clone(parents), leaves...)
	some := all[rng.IntN(len(all))]
	eachOf := instrument.TotalNode
	if k := rng.IntN(len(parents) + 1); k < len(parents) {
		eachOf = parents[k].code
	}
	ratio := Round2(0.2 + 0.4*rng.Float64())
	minTotal := Round2(20 + 50*rng.Float64())
	fmt.Fprintf(&b, `grades:
- {key: A, label: Amat baik, above: %v}
- {key: B, label: Baik, min: 60}
- {key: C, label: Cukup, above: 35.5}
- {key: D, label: Kurang, min: 0}
predicates:
- key: LULUS
  label: Lulus
  rules:
  - {node: total, min: %v}
  - {node: %s, min: %v}
  - {each_child_of: %s, min_ratio: %v}
- key: UNGGUL
  label: Unggul
  requires_previous: LULUS
  rules:
  - {node: total, min: %v}
  - {each_child_of: %s, min_ratio: %v}
`, Round2(75+15*rng.Float64()), minTotal, some.code, Round2((0.3+0.5*rng.Float64())*weight(some)),
		eachOf, ratio, min(95, minTotal+10), eachOf, min(1, ratio+0.15))
	return b.String()
}

// targetPasses judges a target on a Result the way a user reads it: a predicate from Explain, a
// grade from the rounded total. "next" must be resolved by the caller.
func targetPasses(in *instrument.Instrument, key string) func(Result) bool {
	if _, ok := in.Predicate(key); ok {
		return func(r Result) bool { return len(failing(in, r, nil, key)) == 0 }
	}
	i := slices.IndexFunc(in.Grades, func(g instrument.Grade) bool { return g.Key == key })
	return func(r Result) bool { return in.Grades[i].Admits(r.Total) }
}

// nextKey is the grade band above the current one, independently of the planner.
func nextKey(in *instrument.Instrument, r Result) string {
	i := slices.IndexFunc(in.Grades, func(g instrument.Grade) bool { return g.Key == gradeKey(r) })
	return in.Grades[max(i-1, 0)].Key
}

// ownIndicators lists the indicators a unit answers itself, in sheet order.
func ownIndicators(in *instrument.Instrument) []string {
	var out []string
	for _, ind := range in.Indicators() {
		if !in.Scales[ind.Scale].FromSurvey() {
			out = append(out, ind.Code)
		}
	}
	return out
}

// raised returns a copy of the answers with the given indicators at their best answer.
func raised(in *instrument.Instrument, as Answers, codes []string) Answers {
	out := Answers{}
	for c, a := range as {
		out[c] = a
	}
	for _, c := range codes {
		out[c] = bestAnswer(in.ScaleOf(c))
	}
	return out
}

// fewestByBruteForce tries every set of the unit's own indicators raised to their best, smallest
// sets first, and returns the smallest size that passes, or -1 when even all of them fail.
func fewestByBruteForce(t *testing.T, in *instrument.Instrument, as Answers, passes func(Result) bool) int {
	t.Helper()
	own := ownIndicators(in)
	if !passes(mustScore(t, in, raised(in, as, own), nil)) {
		return -1
	}
	for k := 0; k <= len(own); k++ {
		for mask := uint(0); mask < 1<<len(own); mask++ {
			if bits.OnesCount(mask) != k {
				continue
			}
			var set []string
			for i, c := range own {
				if mask&(1<<i) != 0 {
					set = append(set, c)
				}
			}
			if passes(mustScore(t, in, raised(in, as, set), nil)) {
				return k
			}
		}
	}
	t.Fatal("raising every own indicator passes but no subset does")
	return 0
}

// applied returns the answers with every step of the path applied and every survey result at
// its planned minimum.
func applied(as Answers, p Path) Answers {
	out := Answers{}
	for c, a := range as {
		out[c] = a
	}
	for _, s := range p.Steps {
		out[s.Indicator] = s.To
	}
	for _, n := range p.Survey {
		out[n.Indicator] = number(n.Min)
	}
	return out
}

// withSurveys returns the answers with the survey results at the path's minimums only.
func withSurveys(as Answers, p Path) Answers {
	return applied(as, Path{Survey: p.Survey})
}

// exactVal is an answer's value on its scale as an exact rational, computed here from the
// catalog rule (option value, x/100, x/max) on the written decimals.
func exactVal(s instrument.Scale, a Answer) *big.Rat {
	switch s.Kind {
	case instrument.KindChoice:
		o, _ := s.Option(a.Option)
		return rnum.Exact(o.Value)
	case instrument.KindPercent:
		return new(big.Rat).Quo(rnum.Exact(*a.Number), big.NewRat(100, 1))
	}
	return new(big.Rat).Quo(rnum.Exact(*a.Number), rnum.Exact(*s.Max))
}

// lowerAnswer is the next answer below a on the scale that is still worth more than from, or
// false when there is none: the option of the next lower value, or one less for numbers.
func lowerAnswer(s instrument.Scale, a Answer, from float64) (Answer, bool) {
	v, _ := Value(s, a)
	if s.Kind == instrument.KindChoice {
		var below *instrument.Option
		for _, o := range s.Options {
			if o.Value < v && o.Value > from && (below == nil || o.Value > below.Value) {
				below = &o
			}
		}
		if below == nil {
			return Answer{}, false
		}
		return opt(below.Key), true
	}
	lo, hi := 0.0, 100.0
	if s.Kind == instrument.KindNumber {
		lo, hi = *s.Min, *s.Max
	}
	x := *a.Number - 1
	if x < lo || x/hi <= from {
		return Answer{}, false
	}
	return number(x), true
}

// checkPath asserts what every path promises: Reached means nothing to do; otherwise the steps
// and survey minimums, applied, pass the target unless something is blocked; Reachable means
// steps only; steps improve the unit's own indicators in sheet order with the documented gains
// and total, and no step can go one answer lower; no survey minimum can go a hundredth lower.
func checkPath(t *testing.T, in *instrument.Instrument, as Answers, p Path, passes func(Result) bool) {
	t.Helper()
	cur := mustScore(t, in, as, nil)
	if p.Before != cur.Total || p.Steps == nil || p.Failures == nil || p.Blocked == nil || p.Survey == nil {
		t.Fatalf("Before %v (want %v), Steps/Failures/Blocked/Survey nil: %v %v %v %v", p.Before, cur.Total,
			p.Steps == nil, p.Failures == nil, p.Blocked == nil, p.Survey == nil)
	}
	if p.Reached {
		if !p.Reachable || len(p.Steps) > 0 || len(p.Survey) > 0 || len(p.Failures) > 0 || !passes(cur) {
			t.Fatalf("Reached with %+v, but passes now = %v", p, passes(cur))
		}
		return
	}
	if len(p.Failures) == 0 {
		t.Errorf("not reached but no failures: %+v", p)
	}
	if p.Reachable != (len(p.Survey) == 0 && len(p.Blocked) == 0) {
		t.Errorf("reachable %v with survey %v and blocked %v", p.Reachable, p.Survey, p.Blocked)
	}
	after := applied(as, p)
	r := mustScore(t, in, after, nil)
	if len(p.Blocked) == 0 && !passes(r) {
		t.Fatalf("the path %+v with surveys %+v does not pass: total %v, failures %v", p.Steps, p.Survey, r.Total, Explain(in, r, nil))
	}
	if p.After != r.Total {
		t.Errorf("After = %v, want %v", p.After, r.Total)
	}
	pos := map[string]int{}
	for i, ind := range in.Indicators() {
		pos[ind.Code] = i
	}
	for i, s := range p.Steps {
		sc := in.ScaleOf(s.Indicator)
		if sc.FromSurvey() {
			t.Errorf("step %s raises a survey result", s.Indicator)
		}
		if i > 0 && pos[s.Indicator] <= pos[p.Steps[i-1].Indicator] {
			t.Errorf("steps out of sheet order: %s after %s", s.Indicator, p.Steps[i-1].Indicator)
		}
		leaf := in.LeafOf(s.Indicator)
		if s.Area != leaf.Code {
			t.Errorf("step %s: area %s, want %s", s.Indicator, s.Area, leaf.Code)
		}
		from, answered := as[s.Indicator]
		if answered != (s.From != nil) || (answered && fmtAnswer(from) != fmtAnswer(*s.From)) {
			t.Errorf("step %s: from %v, want %v (answered %v)", s.Indicator, s.From, fmtAnswer(from), answered)
		}
		vFrom := new(big.Rat)
		if answered {
			vFrom = exactVal(sc, from)
		}
		vTo := exactVal(sc, s.To)
		if vTo.Cmp(vFrom) <= 0 {
			t.Errorf("step %s: to %s is no improvement", s.Indicator, fmtAnswer(s.To))
		}
		gain := new(big.Rat).Sub(vTo, vFrom)
		gain.Mul(gain, rnum.Exact(leaf.Weight)).Mul(gain, rnum.Exact(in.ScaleMax))
		gain.Quo(gain, big.NewRat(100*int64(len(leaf.Indicators)), 1))
		if want, _ := strconv.ParseFloat(gain.FloatString(2), 64); s.Gain != want {
			t.Errorf("step %s: gain %v, want %v", s.Indicator, s.Gain, want)
		}
		vFromF, _ := vFrom.Float64()
		if lower, ok := lowerAnswer(sc, s.To, vFromF); ok && len(p.Blocked) == 0 {
			less := applied(as, p)
			less[s.Indicator] = lower
			if passes(mustScore(t, in, less, nil)) {
				t.Errorf("step %s: %s also passes, so %s is not the lowest", s.Indicator, fmtAnswer(lower), fmtAnswer(s.To))
			}
		}
	}
	for i, n := range p.Survey {
		sc := in.ScaleOf(n.Indicator)
		if !sc.FromSurvey() || in.LeafOf(n.Indicator).Code != n.Area || n.Max != *sc.Max || n.Min > n.Max {
			t.Errorf("survey need %+v: not a survey result of that area, or out of range", n)
		}
		if i > 0 && pos[n.Indicator] <= pos[p.Survey[i-1].Indicator] {
			t.Errorf("survey needs out of sheet order: %s after %s", n.Indicator, p.Survey[i-1].Indicator)
		}
		from, entered := as[n.Indicator]
		if entered != (n.From != nil) || (entered && *from.Number != *n.From) || (entered && n.Min <= *n.From) {
			t.Errorf("survey need %+v: from %v (entered %v); a need must be above what is entered", n, from, entered)
		}
		// A hundredth less fails, even with every own answer at its best.
		if lower := Round2(n.Min - 0.01); len(p.Blocked) == 0 && (!entered || lower > *from.Number) && lower >= *sc.Min {
			less := raised(in, applied(as, p), ownIndicators(in))
			less[n.Indicator] = number(lower)
			if passes(mustScore(t, in, less, nil)) {
				t.Errorf("survey need %s: %v also passes, so %v is not the minimum", n.Indicator, lower, n.Min)
			}
		}
	}
}

// ceiling is the answers with every own indicator at its best and every survey result at its
// maximum: what no plan can improve on.
func ceiling(in *instrument.Instrument, as Answers) Answers {
	out := raised(in, as, ownIndicators(in))
	for _, ind := range in.Indicators() {
		if s := in.Scales[ind.Scale]; s.FromSurvey() {
			out[ind.Code] = bestAnswer(s)
		}
	}
	return out
}

// PlanPath finds the fewest improvements: on random small sheets and random answers, with the
// survey results at the planned minimums, its step count equals the smallest passing set found by
// trying every set; it is blocked exactly when even the ceiling (everything at its best) fails,
// and reachable exactly when no survey result has to rise.
func TestPlanPathMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(2026, 0x9a7))
	var cases, multi, surveyed, blocked, mixed int
	for sheetN := range 40 {
		src := randomSheet(rng)
		in, err := instrument.Parse("acak.yaml", []byte(src))
		if err != nil {
			t.Fatalf("sheet %d: %v\n%s", sheetN, err, src)
		}
		for range 8 {
			as := randomAnswers(rng, in)
			cur := mustScore(t, in, as, nil)
			for _, target := range []string{"LULUS", "UNGGUL", "A", "B", "C", TargetNext} {
				key := target
				if target == TargetNext {
					key = nextKey(in, cur)
				}
				passes := targetPasses(in, key)
				var prev Previous // UNGGUL requires an earlier LULUS: now and then the unit lacks it
				if target == "UNGGUL" && rng.IntN(2) == 0 {
					prev = Previous{"LULUS": false}
				}
				p, err := PlanPath(in, as, prev, target)
				if err != nil {
					t.Fatalf("sheet %d %s: %v", sheetN, target, err)
				}
				where := func() string {
					return fmt.Sprintf("sheet %d, target %s, prev %v, answers %v\n%s", sheetN, target, prev, fmtAnswers(in, as), src)
				}
				if p.Target != key {
					t.Fatalf("%s: Target = %s, want %s", where(), p.Target, key)
				}
				checkPath(t, in, as, p, passes)
				cases++
				if p.Reached {
					continue
				}
				if !passes(mustScore(t, in, ceiling(in, as), nil)) {
					if len(p.Blocked) == 0 {
						t.Fatalf("%s: even the ceiling fails, but nothing is blocked: %+v", where(), p)
					}
					blocked++
					continue
				}
				switch {
				case prev != nil:
					// Only the earlier result is blocked: the rest of the plan still passes.
					if len(p.Blocked) != 1 || !strings.Contains(p.Blocked[0], "mensyaratkan predikat LULUS") || p.Reachable {
						t.Fatalf("%s: blocked %q, reachable %v; want the earlier LULUS named", where(), p.Blocked, p.Reachable)
					}
					if !passes(mustScore(t, in, applied(as, p), nil)) {
						t.Fatalf("%s: apart from the earlier result, the plan does not pass", where())
					}
					blocked++
				case len(p.Blocked) > 0:
					t.Fatalf("%s: the ceiling passes, but blocked %q", where(), p.Blocked)
				}
				want := fewestByBruteForce(t, in, withSurveys(as, p), passes)
				if got := len(p.Steps); got != want {
					t.Fatalf("%s: %d steps (surveys %+v), brute force says %d", where(), got, p.Survey, want)
				}
				if want >= 2 {
					multi++
				}
				if len(p.Survey) > 0 {
					surveyed++
					if want > 0 {
						mixed++
					}
				}
			}
		}
	}
	// The sample must exercise the interesting cases, not only trivial ones.
	if cases < 300 || multi < 50 || surveyed < 10 || mixed < 5 || blocked < 5 {
		t.Errorf("%d cases, %d needing 2+ steps, %d with survey minimums (%d also with steps), %d blocked; want at least 300, 50, 10, 5, 5",
			cases, multi, surveyed, mixed, blocked)
	}
	t.Logf("%d cases, %d needing 2+ steps, %d with survey minimums (%d also with steps), %d blocked", cases, multi, surveyed, mixed, blocked)
}

func fmtAnswers(in *instrument.Instrument, as Answers) string {
	var parts []string
	for _, ind := range in.Indicators() {
		if a, ok := as[ind.Code]; ok {
			parts = append(parts, ind.Code+"="+fmtAnswer(a))
		}
	}
	return strings.Join(parts, " ")
}

// secondLowest answers every indicator with the second-lowest answer of its scale (the
// second-lowest option by value, or min+1 for numbers, 1 for a percent).
func secondLowest(in *instrument.Instrument) Answers {
	as := Answers{}
	for _, ind := range in.Indicators() {
		s := in.Scales[ind.Scale]
		switch s.Kind {
		case instrument.KindChoice:
			opts := slices.Clone(s.Options)
			slices.SortFunc(opts, func(a, b instrument.Option) int { return cmpFloat(a.Value, b.Value) })
			as[ind.Code] = opt(opts[min(1, len(opts)-1)].Key)
		case instrument.KindPercent:
			as[ind.Code] = number(1)
		default:
			as[ind.Code] = number(*s.Min + 1)
		}
	}
	return as
}
