package scoring

import (
	"encoding/json"
	"fmt"
	"math/big"
	"math/bits"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rapor-rb/raporrb/app/apperr"
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

// Every path returned on the shipped sheets passes its target, from poor, mediocre and random
// sheets; an unreachable verdict is confirmed by raising every own indicator.
func TestPlanPathCatalogPasses(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 90))
	for _, tt := range []struct {
		id, target string
		prev       Previous
	}{
		{"zi-2021", "WBK", nil},
		{"zi-2021", "WBBM", nil},
		{"zi-2021", "WBBM", Previous{"WBK": true}},
		{"sakip-2021", TargetNext, nil},
		{"sakip-2021", "A", nil},
		{"pekppp-2022", TargetNext, nil},
		{"new-normal-2020", "TATAP_MUKA", nil},
		{"new-normal-2020", TargetNext, nil},
	} {
		in := sheet(t, tt.id)
		surveysBest := secondLowest(in)
		for _, ind := range in.Indicators() {
			if s := in.Scales[ind.Scale]; s.FromSurvey() {
				surveysBest[ind.Code] = bestAnswer(s)
			}
		}
		names := []string{"second lowest", "second lowest, surveys best", "none"}
		sets := map[string]Answers{names[0]: secondLowest(in), names[1]: surveysBest, names[2]: {}}
		for i := range 4 {
			as := randomAnswers(rng, in)
			for _, ind := range in.Indicators() {
				if s := in.Scales[ind.Scale]; s.FromSurvey() && i%2 == 0 {
					as[ind.Code] = bestAnswer(s)
				}
			}
			names = append(names, fmt.Sprintf("random %d", i))
			sets[names[len(names)-1]] = as
		}
		for _, name := range names {
			as := sets[name]
			t.Run(fmt.Sprintf("%s/%s/prev=%v/%s", tt.id, tt.target, tt.prev, name), func(t *testing.T) {
				p, err := PlanPath(in, as, tt.prev, tt.target)
				if err != nil {
					t.Fatal(err)
				}
				key := tt.target
				if key == TargetNext {
					key = nextKey(in, mustScore(t, in, as, nil))
				}
				passes := targetPasses(in, key)
				checkPath(t, in, as, p, passes)
				if all := raised(in, as, ownIndicators(in)); p.Reachable != passes(mustScore(t, in, all, nil)) {
					t.Errorf("reachable = %v, but raising every own indicator passes = %v", p.Reachable, !p.Reachable)
				}
				t.Logf("%s: reached %v reachable %v, %d steps, survey %+v, %v → %v; blocked %q", p.Target, p.Reached, p.Reachable, len(p.Steps), p.Survey, p.Before, p.After, p.Blocked)
			})
		}
	}
}

// Zona Integritas, PermenPANRB 90/2021: WBK needs total ≥ 75, P ≥ 40, each pengungkit area
// ≥ 60%, H.BA ≥ 18.25, IPAK ≥ 15.75, KIN ≥ 2.5, H.PP ≥ 14; WBBM needs total ≥ 85, P ≥ 48, each
// area ≥ 75%, H.BA ≥ 19.5, IPAK ≥ 15.75, KIN ≥ 3.75, H.PP ≥ 15.75 and an earlier WBK. The survey
// minimums follow: IPAK 15.75 = 3.60 × 17.5/4, IPKP 14.00 = 3.20 and 15.75 = 3.60.
func TestPlanPathZI(t *testing.T) {
	zi := sheet(t, "zi-2021")
	for _, tt := range []struct {
		name      string
		mods      m
		prev      Previous
		target    string
		reached   bool
		reachable bool
		steps     int                // -1: only check that there are some
		survey    map[string]float64 // survey minimums planned
		failures  []string           // failed conditions now
		blocked   []string           // substrings of the Blocked messages, in order
	}{
		{name: "WBK fails only on the total 74.99 (every area ≥ 60%): one step", target: "WBK",
			mods: merge(ziWBKHasil, ziP4275, m{"P.MP.RF.1.a": 99}), reachable: true, steps: 1, failures: []string{"total"}},
		{name: "WBK at 75.00 exactly is reached", target: "WBK", mods: merge(ziWBKHasil, ziP4275), reached: true, reachable: true},
		{name: "IPAK 3.50 → H.BA.IPAK 15.31 < 15.75: IPAK must reach 3.60", target: "WBK",
			mods: m{"H.BA.IPAK.a": 3.5}, failures: []string{"H.BA.IPAK"}, survey: map[string]float64{"H.BA.IPAK.a": 3.6}},
		{name: "IPKP 3.20 meets WBK's H.PP ≥ 14 but not WBBM's 15.75: IPKP must reach 3.60", target: "WBBM", prev: Previous{"WBK": true},
			mods: merge(ziWBKHasil, m{"H.BA.KIN.a": "A"}), failures: []string{"H.PP"}, survey: map[string]float64{"H.PP.IPKP.a": 3.6}},
		{name: "mixed: a weak pengungkit and IPKP 3.00 get steps and a survey minimum in one plan", target: "WBK",
			mods: merge(ziWBKHasil, ziP4275, m{"H.PP.IPKP.a": 3.0, "P.MP.RF.1.a": 99}), steps: 1,
			survey: map[string]float64{"H.PP.IPKP.a": 3.2}, failures: []string{"H.PP", "total"}},
		{name: "WBBM with an earlier WBK = false is blocked whatever the answers", target: "WBBM", prev: Previous{"WBK": false},
			failures: []string{"previous:WBK"}, blocked: []string{"WBBM mensyaratkan predikat WBK pada penilaian sebelumnya."}},
		{name: "WBBM blocked by the earlier result still plans the rest", target: "WBBM", prev: Previous{"WBK": false},
			mods: merge(ziWBBMHasil, ziP4275), steps: -1, failures: []string{"P", "P.AK", "P.PP", "P.PW", "P.SDM", "previous:WBK", "total"},
			blocked: []string{"WBBM mensyaratkan predikat WBK pada penilaian sebelumnya."}},
		{name: "WBBM with the earlier result unknown ignores requires_previous", target: "WBBM", reached: true, reachable: true},
		{name: "WBBM from a WBK-level pengungkit: several areas below 75%", target: "WBBM", prev: Previous{"WBK": true},
			mods: merge(ziWBBMHasil, ziP4275), reachable: true, steps: -1,
			failures: []string{"P", "P.AK", "P.PP", "P.PW", "P.SDM", "total"}}, // P.MP is 6/8 = 75%
	} {
		t.Run(tt.name, func(t *testing.T) {
			as := best(t, zi, tt.mods)
			p, err := PlanPath(zi, as, tt.prev, tt.target)
			if err != nil {
				t.Fatal(err)
			}
			if p.Reached != tt.reached || p.Reachable != tt.reachable {
				t.Errorf("reached %v reachable %v, want %v %v; blocked %v", p.Reached, p.Reachable, tt.reached, tt.reachable, p.Blocked)
			}
			if tt.steps >= 0 && len(p.Steps) != tt.steps {
				t.Errorf("%d steps %+v, want %d", len(p.Steps), p.Steps, tt.steps)
			} else if tt.steps < 0 && len(p.Steps) == 0 {
				t.Error("no steps, want some")
			}
			got := map[string]float64{}
			for _, n := range p.Survey {
				got[n.Indicator] = n.Min
			}
			if len(got) != len(tt.survey) {
				t.Errorf("survey %+v, want %v", p.Survey, tt.survey)
			}
			for code, want := range tt.survey {
				if got[code] != want {
					t.Errorf("survey %s minimum %v, want %v", code, got[code], want)
				}
			}
			want := tt.failures
			if want == nil {
				want = []string{}
			}
			if got := failing(zi, mustScore(t, zi, as, tt.prev), tt.prev, tt.target); !slices.Equal(got, want) {
				t.Errorf("failing now %v, want %v", got, want)
			}
			if len(p.Failures) != len(want) {
				t.Errorf("Failures %+v, want %d", p.Failures, len(want))
			}
			if len(p.Blocked) != len(tt.blocked) {
				t.Fatalf("blocked %q, want %d messages", p.Blocked, len(tt.blocked))
			}
			for i, sub := range tt.blocked {
				if !strings.Contains(p.Blocked[i], sub) {
					t.Errorf("blocked[%d] = %q, want it to contain %q", i, p.Blocked[i], sub)
				}
			}
			checkPath(t, zi, as, p, targetPasses(zi, tt.target))
		})
	}
}

// An unanswered survey result counts 0: the plan asks for it with From nil.
func TestPlanPathNamesUnenteredSurvey(t *testing.T) {
	zi := sheet(t, "zi-2021")
	as := best(t, zi, nil)
	delete(as, "H.PP.IPKP.a")
	p, err := PlanPath(zi, as, nil, "WBK")
	if err != nil {
		t.Fatal(err)
	}
	want := []SurveyNeed{{Indicator: "H.PP.IPKP.a", Area: "H.PP.IPKP", Min: 3.2, Max: 4}}
	if p.Reachable || len(p.Blocked) != 0 || len(p.Steps) != 0 || !slices.Equal(p.Survey, want) {
		t.Errorf("reachable %v, blocked %q, steps %v, survey %+v; want %+v", p.Reachable, p.Blocked, p.Steps, p.Survey, want)
	}
	checkPath(t, zi, as, p, targetPasses(zi, "WBK"))
}

// A bound above what its node can score even with everything at its best is blocked and named;
// the other rules are still planned.
func TestPlanPathImpossibleBound(t *testing.T) {
	in, err := instrument.Parse("mustahil.yaml", []byte(`id: mustahil
title: Mustahil
scale_max: 100
scales:
  yn: {kind: choice, options: [{key: Ya, value: 1}, {key: Tidak, value: 0}]}
areas:
- {code: A, title: Area A, weight: 40, indicators: [{code: A.1, text: Soal, scale: yn, criteria: {Ya: ya, Tidak: tidak}}]}
- {code: B, title: Area B, weight: 60, indicators: [{code: B.1, text: Soal, scale: yn, criteria: {Ya: ya, Tidak: tidak}}, {code: B.2, text: Soal, scale: yn, criteria: {Ya: ya, Tidak: tidak}}]}
predicates:
- key: LULUS
  label: Lulus
  rules:
  - {node: A, min: 45}
  - {node: B, min: 30}
`))
	if err != nil {
		t.Fatal(err)
	}
	p, err := PlanPath(in, Answers{"A.1": opt("Tidak"), "B.1": opt("Tidak"), "B.2": opt("Tidak")}, nil, "LULUS")
	if err != nil {
		t.Fatal(err)
	}
	if p.Reachable || len(p.Blocked) != 1 || !strings.Contains(p.Blocked[0], "Nilai Area A paling tinggi 40,00") ||
		!strings.Contains(p.Blocked[0], "batasnya 45,00") {
		t.Errorf("blocked %q, reachable %v; want Area A named with 40,00 and 45,00", p.Blocked, p.Reachable)
	}
	if len(p.Steps) != 1 || p.Steps[0].Area != "B" {
		t.Errorf("steps %+v, want the one step that passes B ≥ 30", p.Steps)
	}
}

// IKM (PermenPANRB 14/2017) is all survey: a better mutu band needs higher NRR, not answers. All
// nine unsur at 3 give IKM 75.00 (C); B needs > 76.60, i.e. ΣNRR ≥ 27.58; lowering the unsur
// from their maximum in sheet order leaves the last one to carry it: U9 minimal 3.58 (76.61).
// SAKIP (PermenPANRB 88/2021) at AA has no band left to reach.
func TestPlanPathSurveyAndTop(t *testing.T) {
	ikm := sheet(t, "ikm-2017")
	as := allOf(ikm, number(3))
	p, err := PlanPath(ikm, as, nil, TargetNext)
	if err != nil {
		t.Fatal(err)
	}
	if p.Target != "B" || p.Kind != PathGrade || p.Reached || p.Reachable || len(p.Steps) != 0 || len(p.Blocked) != 0 {
		t.Errorf("IKM next: %+v; want target B, survey only, no steps, nothing blocked", p)
	}
	wantFailure := Failure{Predicate: "B", Node: instrument.TotalNode, Score: 75, Min: 76.61, Gap: 1.61}
	if len(p.Failures) != 1 || p.Failures[0] != wantFailure {
		t.Errorf("IKM next: failures %+v, want %+v", p.Failures, wantFailure)
	}
	three := 3.0
	if want := []SurveyNeed{{Indicator: "IKM.U9", Area: "IKM", From: &three, Min: 3.58, Max: 4}}; len(p.Survey) != 1 ||
		p.Survey[0].Indicator != want[0].Indicator || p.Survey[0].Min != want[0].Min || *p.Survey[0].From != 3 || p.After != 76.61 {
		t.Errorf("IKM next: survey %+v, after %v; want U9 from 3 to 3.58, 76.61", p.Survey, p.After)
	}
	checkPath(t, ikm, as, p, targetPasses(ikm, "B"))

	sakip := sheet(t, "sakip-2021")
	for _, target := range []string{TargetNext, "AA", "BB"} {
		p, err := PlanPath(sakip, best(t, sakip, nil), nil, target)
		if err != nil {
			t.Fatal(err)
		}
		want := target
		if target == TargetNext {
			want = "AA"
		}
		if !p.Reached || !p.Reachable || p.Target != want || len(p.Steps) != 0 || p.Before != 100 || p.After != 100 {
			t.Errorf("SAKIP all AA, %s: %+v; want %s reached", target, p, want)
		}
	}
}

// Each step goes only as high as the path needs: SAKIP all "B" (0.7) totals 70.00, grade B;
// BB needs more than 70, which any single kriteria one option up gives, so the step is "BB",
// not the best answer "AA".
func TestPlanPathLowersSteps(t *testing.T) {
	sakip := sheet(t, "sakip-2021")
	as := allOf(sakip, opt("B"))
	p, err := PlanPath(sakip, as, nil, TargetNext)
	if err != nil {
		t.Fatal(err)
	}
	if p.Before != 70 || p.Target != "BB" || len(p.Steps) != 1 || p.Steps[0].To != opt("BB") || p.Steps[0].From == nil || *p.Steps[0].From != opt("B") {
		t.Fatalf("%+v; want 70 → BB in one step B → BB", p)
	}
	if p.After <= 70 || p.Steps[0].Gain <= 0 {
		t.Errorf("after %v, gain %v; want above 70 and a positive gain", p.After, p.Steps[0].Gain)
	}
	checkPath(t, sakip, as, p, targetPasses(sakip, "BB"))

	// A percent step is lowered to a whole number: ZI at total 74.99 needs one hundredth, so the
	// one step is one whole percent above the indicator's current value.
	zi := sheet(t, "zi-2021")
	as = best(t, zi, merge(ziWBKHasil, ziP4275, m{"P.MP.RF.1.a": 99}))
	p, err = PlanPath(zi, as, nil, "WBK")
	if err != nil {
		t.Fatal(err)
	}
	checkPath(t, zi, as, p, targetPasses(zi, "WBK"))
	if len(p.Steps) != 1 || p.Steps[0].From == nil || p.Steps[0].From.Number == nil ||
		*p.Steps[0].To.Number != *p.Steps[0].From.Number+1 {
		t.Errorf("ZI 74.99 → %v with %+v; want one percent step of one point", p.After, p.Steps)
	}
}

func TestPlanPathErrors(t *testing.T) {
	zi := sheet(t, "zi-2021")
	for _, tt := range []struct {
		name    string
		in      *instrument.Instrument
		answers Answers
		target  string
		want    string
	}{
		{"unknown target", zi, nil, "WBKK", `Target "WBKK" tidak dikenal pada instrumen zi-2021; pilih salah satu dari: WBBM, WBK.`},
		{"next without grades", zi, nil, TargetNext, `Instrumen zi-2021 tidak memiliki predikat nilai (grade), jadi target "next" tidak berlaku; pilih salah satu dari: WBBM, WBK.`},
		{"unknown grade lists grades and next", sheet(t, "ikm-2017"), nil, "E", `Target "E" tidak dikenal pada instrumen ikm-2017; pilih salah satu dari: A, B, C, D, next.`},
		{"invalid answer", zi, Answers{"P.MP.PM.1.a": opt("Mungkin")}, "WBK", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := PlanPath(tt.in, tt.answers, nil, tt.target)
			if !apperr.Is(err, apperr.Invalid) {
				t.Fatalf("err = %v, want apperr.Invalid", err)
			}
			want := tt.want
			if want == "" {
				_, scoreErr := Score(tt.in, tt.answers, nil)
				want = apperr.Message(scoreErr)
			}
			if got := apperr.Message(err); got != want {
				t.Errorf("message %q\n   want %q", got, want)
			}
		})
	}
}

// The JSON shape is a contract for the web layer: lists are [] rather than null.
func TestPathJSONShape(t *testing.T) {
	sakip := sheet(t, "sakip-2021")
	p, err := PlanPath(sakip, best(t, sakip, nil), nil, TargetNext)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"target":"AA","kind":"grade","reached":true,"reachable":true,"steps":[],"survey":[],"before":100,"after":100,"failures":[],"blocked":[]}`
	if string(b) != want {
		t.Errorf("JSON %s\nwant %s", b, want)
	}
}

// BenchmarkPlanPath plans ZI's WBBM from a mediocre sheet (every own indicator at its
// second-lowest answer, surveys at their best): the heaviest plan the catalog asks for.
func BenchmarkPlanPath(b *testing.B) {
	zi := sheet(b, "zi-2021")
	as := secondLowest(zi)
	for _, ind := range zi.Indicators() {
		if s := zi.Scales[ind.Scale]; s.FromSurvey() {
			as[ind.Code] = bestAnswer(s)
		}
	}
	for b.Loop() {
		p, err := PlanPath(zi, as, Previous{"WBK": true}, "WBBM")
		if err != nil || !p.Reachable {
			b.Fatalf("%+v, %v", p, err)
		}
	}
}
