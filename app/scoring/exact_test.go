package scoring

import (
	"fmt"
	"math/big"
	"math/rand/v2"
	"strconv"
	"testing"

	"github.com/rapor-rb/raporrb/app/instrument"
)

// The reference below is written from the catalog README's scoring rule, independently of the
// engine (it does not call exactScores, leafExact, judge or package num): every number is the
// exact decimal as written (a float64's shortest representation), a leaf scores points × the mean
// of its indicators' values, a parent the sum of its children, and every reported value is
// rounded to 2 decimals half away from zero on its exact value (big.Rat.FloatString rounds
// halves away from zero). Grades and predicates are judged on those rounded values.

// dec is the exact value of a float64 as written.
func dec(x float64) *big.Rat {
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(x, 'g', -1, 64))
	if !ok {
		panic(x)
	}
	return r
}

// rounded is r rounded to hundredths, as an exact rational.
func rounded(r *big.Rat) *big.Rat {
	out, _ := new(big.Rat).SetString(r.FloatString(2))
	return out
}

// refValue is an answer's value by the catalog rule: option value, x/100, x/max.
func refValue(s instrument.Scale, a Answer) *big.Rat {
	switch s.Kind {
	case instrument.KindChoice:
		for _, o := range s.Options {
			if o.Key == a.Option {
				return dec(o.Value)
			}
		}
		panic("unknown option " + a.Option)
	case instrument.KindPercent:
		return new(big.Rat).Quo(dec(*a.Number), big.NewRat(100, 1))
	}
	return new(big.Rat).Quo(dec(*a.Number), dec(*s.Max))
}

// refPoints is weight / 100 × scale_max.
func refPoints(in *instrument.Instrument, a *instrument.Area) *big.Rat {
	p := new(big.Rat).Mul(dec(a.Weight), dec(in.ScaleMax))
	return p.Quo(p, big.NewRat(100, 1))
}

// reference scores an answer set exactly: every area by code, and the total.
func reference(in *instrument.Instrument, as Answers) (map[string]*big.Rat, *big.Rat) {
	nodes := map[string]*big.Rat{}
	var walk func(a *instrument.Area) *big.Rat
	walk = func(a *instrument.Area) *big.Rat {
		s := new(big.Rat)
		if len(a.Areas) > 0 {
			for _, c := range a.Areas {
				s.Add(s, walk(c))
			}
		} else {
			for _, ind := range a.Indicators {
				if ans, ok := as[ind.Code]; ok {
					s.Add(s, refValue(in.Scales[ind.Scale], ans))
				}
			}
			s.Mul(s, refPoints(in, a))
			s.Quo(s, big.NewRat(int64(len(a.Indicators)), 1))
		}
		nodes[a.Code] = s
		return s
	}
	total := new(big.Rat)
	for _, a := range in.Areas {
		total.Add(total, walk(a))
	}
	return nodes, total
}

// refGrade is the first band admitting the rounded total: above strict, min inclusive.
func refGrade(in *instrument.Instrument, total *big.Rat) string {
	t := rounded(total)
	for _, g := range in.Grades {
		if (g.Above != nil && t.Cmp(dec(*g.Above)) > 0) || (g.Min != nil && t.Cmp(dec(*g.Min)) >= 0) {
			return g.Key
		}
	}
	return ""
}

// refPredicate judges every rule on rounded scores against rounded minimums.
func refPredicate(in *instrument.Instrument, p instrument.Predicate, nodes map[string]*big.Rat, total *big.Rat, prev Previous) bool {
	for _, r := range p.Rules {
		if r.EachChildOf != "" {
			for _, c := range in.Children(r.EachChildOf) {
				min := new(big.Rat).Mul(dec(*r.MinRatio), refPoints(in, c))
				if rounded(nodes[c.Code]).Cmp(rounded(min)) < 0 {
					return false
				}
			}
			continue
		}
		s := total
		if r.Node != instrument.TotalNode {
			s = nodes[r.Node]
		}
		if rounded(s).Cmp(rounded(dec(*r.Min))) < 0 {
			return false
		}
	}
	if had, known := prev[p.RequiresPrevious]; p.RequiresPrevious != "" && known && !had {
		return false
	}
	return true
}

// isHalf reports whether r has exactly three decimals ending in 5 (r × 200 is an odd integer):
// the values binary floating point rounds the wrong way half of the time.
func isHalf(r *big.Rat) bool {
	x := new(big.Rat).Mul(r, big.NewRat(200, 1))
	return x.IsInt() && x.Num().Bit(0) == 1
}

// terminating reports whether r has at most 12 decimals: with a magnitude below 1000 that is at
// most 15 significant digits, so a float64 written from its decimal string reads back as r.
func terminating(r *big.Rat) bool {
	return new(big.Rat).Mul(r, new(big.Rat).SetInt(new(big.Int).Exp(big.NewInt(10), big.NewInt(12), nil))).IsInt()
}

// makeHalf retunes one percent or number indicator so that its leaf scores exactly a half
// (x.xx5), when the solution is a terminating decimal in the scale's range. It returns the leaf's
// code, or "" when no indicator of the instrument could be tuned.
func makeHalf(rng *rand.Rand, in *instrument.Instrument, as Answers) string {
	inds := in.Indicators()
	for _, i := range rng.Perm(len(inds)) {
		ind := inds[i]
		s := in.Scales[ind.Scale]
		if s.Kind == instrument.KindChoice {
			continue
		}
		leaf := in.LeafOf(ind.Code)
		// Other numbers in the leaf as people type them (2 decimals), so the solution terminates.
		for _, sib := range leaf.Indicators {
			if a, ok := as[sib.Code]; ok && a.Number != nil && sib.Code != ind.Code {
				as[sib.Code] = number(Round2(*a.Number))
			}
		}
		nodes, _ := reference(in, as)
		// Without this indicator the leaf scores base; each unit of its value adds coef.
		coef := new(big.Rat).Quo(refPoints(in, leaf), big.NewRat(int64(len(leaf.Indicators)), 1))
		base := new(big.Rat).Set(nodes[leaf.Code])
		if a, ok := as[ind.Code]; ok {
			base.Sub(base, new(big.Rat).Mul(coef, refValue(s, a)))
		}
		// A half near the leaf's current score: k/100 + 1/200 for a k picked around it.
		cur, _ := nodes[leaf.Code].Float64()
		k := max(0, int(cur*100)+rng.IntN(201)-100)
		target := new(big.Rat).Add(big.NewRat(int64(k), 100), big.NewRat(1, 200))
		v := new(big.Rat).Sub(target, base)
		if v.Sign() < 0 {
			continue
		}
		v.Quo(v, coef)
		scaleTop := big.NewRat(100, 1)
		if s.Kind == instrument.KindNumber {
			scaleTop = dec(*s.Max)
		}
		x := new(big.Rat).Mul(v, scaleTop)
		lo := new(big.Rat)
		if s.Kind == instrument.KindNumber {
			lo = dec(*s.Min)
		}
		if !terminating(x) || x.Cmp(lo) < 0 || x.Cmp(scaleTop) > 0 {
			continue
		}
		f, _ := strconv.ParseFloat(x.FloatString(12), 64)
		as[ind.Code] = number(f)
		if nodes, _ := reference(in, as); !isHalf(nodes[leaf.Code]) {
			panic(fmt.Sprintf("makeHalf: %s scores %s", leaf.Code, nodes[leaf.Code].FloatString(6)))
		}
		return leaf.Code
	}
	return ""
}

// 500 random answer sets per instrument, with exact halves constructed on purpose, give the same
// total, node scores, grade and predicates as the reference. Before exact rounding, 7 in 200
// such sets came out one hundredth short.
func TestScoreMatchesExactReference(t *testing.T) {
	for _, in := range catalog.List() {
		t.Run(in.ID, func(t *testing.T) {
			rng := rand.New(rand.NewPCG(12, uint64(len(in.ID))))
			var withHalf, constructed, halfNodes int
			for i := range 500 {
				as := randomAnswers(rng, in)
				if i%4 != 3 && makeHalf(rng, in, as) != "" {
					constructed++
				}
				prev := Previous{"WBK": i%3 != 0}
				r := mustScore(t, in, as, prev)
				nodes, total := reference(in, as)
				half := isHalf(total)
				if got, want := strconv.FormatFloat(r.Total, 'f', 2, 64), total.FloatString(2); got != want {
					t.Fatalf("set %d: total %s, reference %s (exact %s)", i, got, want, total.FloatString(6))
				}
				for code, x := range nodes {
					if isHalf(x) {
						half = true
						halfNodes++
					}
					if got, want := strconv.FormatFloat(r.Nodes[code], 'f', 2, 64), x.FloatString(2); got != want {
						t.Fatalf("set %d: %s = %s, reference %s (exact %s)", i, code, got, want, x.FloatString(6))
					}
				}
				if want := refGrade(in, total); gradeKey(r) != want && !(want == "" && r.Grade == nil) {
					t.Fatalf("set %d: grade %s, reference %s (total %s)", i, gradeKey(r), want, total.FloatString(6))
				}
				for _, p := range in.Predicates {
					if want := refPredicate(in, p, nodes, total, prev); r.Predicates[p.Key] != want {
						t.Fatalf("set %d: %s = %v, reference %v", i, p.Key, r.Predicates[p.Key], want)
					}
				}
				if half {
					withHalf++
				}
			}
			t.Logf("%s: 500 sets, %d with an exact half somewhere (%d half nodes), %d halves constructed", in.ID, withHalf, halfNodes, constructed)
			if withHalf < 100 {
				t.Errorf("only %d of 500 sets hold an exact half; the comparison would not exercise rounding", withHalf)
			}
		})
	}
}

// threshold is one row of the tables below: answers whose decisive node is worth exactly a half
// (x.xx5) just below a bound, which rounds up onto the bound, and the outcome that follows.
type threshold struct {
	name  string
	id    string
	as    Answers
	prev  Previous
	node  string  // the decisive node, or "total"
	exact string  // its exact value (6 decimals)
	shown float64 // as reported, rounded half away from zero
	grade string  // expected grade, "" for an instrument without grades
	pred  string  // predicate judged, "" for none
	pass  bool
}

func checkThreshold(t *testing.T, tt threshold) {
	t.Helper()
	in := sheet(t, tt.id)
	r := mustScore(t, in, tt.as, tt.prev)
	nodes, total := reference(in, tt.as)
	x, got := total, r.Total
	if tt.node != instrument.TotalNode {
		x, got = nodes[tt.node], r.Nodes[tt.node]
	}
	if x.FloatString(6) != tt.exact || got != tt.shown {
		t.Errorf("%s exact %s shown %v, want %s → %v", tt.node, x.FloatString(6), got, tt.exact, tt.shown)
	}
	if gradeKey(r) != tt.grade && !(tt.grade == "" && r.Grade == nil) {
		t.Errorf("grade %s, want %s", gradeKey(r), tt.grade)
	}
	if tt.pred != "" && r.Predicates[tt.pred] != tt.pass {
		t.Errorf("%s = %v, want %v (failing: %v)", tt.pred, r.Predicates[tt.pred], tt.pass, failing(in, r, tt.prev, tt.pred))
	}
}

// Zona Integritas, PermenPANRB 90/2021 (LKE and thresholds): WBK total ≥ 75, P ≥ 40, each
// pengungkit area ≥ 60%; WBBM total ≥ 85, P ≥ 48, each area ≥ 75%. The percent indicators make
// exact halves: P.MP.RF.1.a/b are 0.01 a percent point, P.PP.RF.1.b 0.0125, P.SDM.RF.3.a 0.02.
// The survey nodes (IPAK, IPKP: 4.375 × the survey value) cannot end in an exact half with a
// terminating survey value; their rows take the nearest 4-decimal values on each side.
func TestThresholdHalvesZI(t *testing.T) {
	zi := sheet(t, "zi-2021")
	wbbmP := m{ // P 49.75, every area exactly at or above 75%: PW 11.25, SDM 8, AK 8, MP 6, PP 9.5
		"P.PW.RF.2.a": 0, "P.PW.RF.3.a": 25, "P.SDM.RF.3.a": 0, "P.AK.RF.1.a": 0,
		"P.MP.RF.1.a": 0, "P.MP.RF.1.b": 0, "P.PP.RF.1.b": 60,
	}
	wbbmP48 := merge(wbbmP, m{"P.TT.RF.1.a": "D", "P.TT.RF.2.a": "C", "P.TT.RF.2.b": "C", "P.PP.RF.1.b": 40})
	mp75 := m{"P.MP.RF.2.a": "D", "P.MP.RF.1.a": 0}
	wbk, wbbm := Previous{}, Previous{"WBK": true}
	for _, tt := range []threshold{
		{name: "WBK total 74.995 → 75.00 passes", as: best(t, zi, merge(ziWBKHasil, ziP4275, m{"P.MP.RF.1.a": 99.5})), prev: wbk,
			node: "total", exact: "74.995000", shown: 75, pred: "WBK", pass: true},
		{name: "WBK total 74.994 → 74.99 fails", as: best(t, zi, merge(ziWBKHasil, ziP4275, m{"P.MP.RF.1.a": 99.4})), prev: wbk,
			node: "total", exact: "74.994000", shown: 74.99, pred: "WBK"},
		{name: "WBK P 39.995 → 40.00 passes", as: best(t, zi, merge(ziP40, m{"P.MP.RF.1.a": 74.5})), prev: wbk,
			node: "P", exact: "39.995000", shown: 40, pred: "WBK", pass: true},
		{name: "WBK P 39.994 → 39.99 fails", as: best(t, zi, merge(ziP40, m{"P.MP.RF.1.a": 74.4})), prev: wbk,
			node: "P", exact: "39.994000", shown: 39.99, pred: "WBK"},
		{name: "WBK P.MP 4.795 → 4.80 = 60% of 8 passes", prev: wbk,
			as:   best(t, zi, m{"P.MP.RF.2.a": "E", "P.MP.RF.3.a": "D", "P.MP.RF.1.a": 0, "P.MP.RF.1.b": 79.5}),
			node: "P.MP", exact: "4.795000", shown: 4.8, pred: "WBK", pass: true},
		{name: "WBK P.MP 4.794 → 4.79 fails", prev: wbk,
			as:   best(t, zi, m{"P.MP.RF.2.a": "E", "P.MP.RF.3.a": "D", "P.MP.RF.1.a": 0, "P.MP.RF.1.b": 79.4}),
			node: "P.MP", exact: "4.794000", shown: 4.79, pred: "WBK"},
		{name: "WBK P.SDM 5.995 → 6.00 = 60% of 10 passes", prev: wbk,
			as:   best(t, zi, m{"P.SDM.RF.1.a": "C", "P.SDM.RF.2.a": "C", "P.SDM.RF.3.a": 49.75}),
			node: "P.SDM", exact: "5.995000", shown: 6, pred: "WBK", pass: true},
		{name: "WBK P.SDM 5.994 → 5.99 fails", prev: wbk,
			as:   best(t, zi, m{"P.SDM.RF.1.a": "C", "P.SDM.RF.2.a": "C", "P.SDM.RF.3.a": 49.7}),
			node: "P.SDM", exact: "5.994000", shown: 5.99, pred: "WBK"},
		{name: "WBK IPAK 3.5989: 15.745188 → 15.75 passes", as: best(t, zi, m{"H.BA.IPAK.a": 3.5989}), prev: wbk,
			node: "H.BA.IPAK", exact: "15.745188", shown: 15.75, pred: "WBK", pass: true},
		{name: "WBK IPAK 3.5988: 15.744750 → 15.74 fails", as: best(t, zi, m{"H.BA.IPAK.a": 3.5988}), prev: wbk,
			node: "H.BA.IPAK", exact: "15.744750", shown: 15.74, pred: "WBK"},
		{name: "WBK IPKP 3.1989: 13.995188 → 14.00 passes", as: best(t, zi, m{"H.PP.IPKP.a": 3.1989}), prev: wbk,
			node: "H.PP", exact: "13.995188", shown: 14, pred: "WBK", pass: true},
		{name: "WBK IPKP 3.1988: 13.994750 → 13.99 fails", as: best(t, zi, m{"H.PP.IPKP.a": 3.1988}), prev: wbk,
			node: "H.PP", exact: "13.994750", shown: 13.99, pred: "WBK"},
		{name: "WBK H.BA 18.245188 (IPAK 3.5989, capaian C) → 18.25 passes", as: best(t, zi, m{"H.BA.IPAK.a": 3.5989, "H.BA.KIN.a": "C"}), prev: wbk,
			node: "H.BA", exact: "18.245188", shown: 18.25, pred: "WBK", pass: true},

		{name: "WBBM total 84.995 → 85.00 passes", as: best(t, zi, merge(ziWBBMHasil, wbbmP, m{"P.PP.RF.1.b": 59.6})), prev: wbbm,
			node: "total", exact: "84.995000", shown: 85, pred: "WBBM", pass: true},
		{name: "WBBM total 84.99375 → 84.99 fails", as: best(t, zi, merge(ziWBBMHasil, wbbmP, m{"P.PP.RF.1.b": 59.5})), prev: wbbm,
			node: "total", exact: "84.993750", shown: 84.99, pred: "WBBM"},
		{name: "WBBM P 47.995 → 48.00 passes", as: best(t, zi, merge(wbbmP48, m{"P.PP.RF.1.b": 39.6})), prev: wbbm,
			node: "P", exact: "47.995000", shown: 48, pred: "WBBM", pass: true},
		{name: "WBBM P 47.99375 → 47.99 fails", as: best(t, zi, merge(wbbmP48, m{"P.PP.RF.1.b": 39.5})), prev: wbbm,
			node: "P", exact: "47.993750", shown: 47.99, pred: "WBBM"},
		{name: "WBBM P.MP 5.995 → 6.00 = 75% of 8 passes", as: best(t, zi, merge(mp75, m{"P.MP.RF.1.b": 74.5})), prev: wbbm,
			node: "P.MP", exact: "5.995000", shown: 6, pred: "WBBM", pass: true},
		{name: "WBBM P.MP 5.994 → 5.99 fails", as: best(t, zi, merge(mp75, m{"P.MP.RF.1.b": 74.4})), prev: wbbm,
			node: "P.MP", exact: "5.994000", shown: 5.99, pred: "WBBM"},
		{name: "WBBM IPKP 3.5989: 15.745188 → 15.75 passes", as: best(t, zi, m{"H.PP.IPKP.a": 3.5989}), prev: wbbm,
			node: "H.PP", exact: "15.745188", shown: 15.75, pred: "WBBM", pass: true},
		{name: "WBBM IPKP 3.5988: 15.744750 → 15.74 fails", as: best(t, zi, m{"H.PP.IPKP.a": 3.5988}), prev: wbbm,
			node: "H.PP", exact: "15.744750", shown: 15.74, pred: "WBBM"},
	} {
		tt.id = "zi-2021"
		t.Run(tt.name, func(t *testing.T) { checkThreshold(t, tt) })
	}
}

// IKM, PermenPANRB 14/2017: IKM = 25 × ΣNRR / 9; mutu A 88,31–100, B 76,61–88,30, C 65,00–76,60,
// D 25,00–64,99. Eight unsur at a round NRR and the ninth tuned put the index on each half.
func TestThresholdHalvesIKM(t *testing.T) {
	ikm := sheet(t, "ikm-2017")
	nrr := func(eight, ninth float64) Answers {
		as := allOf(ikm, number(eight))
		as["IKM.U9"] = number(ninth)
		return as
	}
	for _, tt := range []threshold{
		{name: "88.305 → 88.31 → A", as: nrr(3.53, 3.5498), exact: "88.305000", shown: 88.31, grade: "A"},
		{name: "88.304722 → 88.30 → B", as: nrr(3.53, 3.5497), exact: "88.304722", shown: 88.3, grade: "B"},
		{name: "76.605 → 76.61 → B", as: nrr(3.06, 3.0978), exact: "76.605000", shown: 76.61, grade: "B"},
		{name: "76.604722 → 76.60 → C", as: nrr(3.06, 3.0977), exact: "76.604722", shown: 76.6, grade: "C"},
		{name: "64.995 → 65.00 → C", as: nrr(2.6, 2.5982), exact: "64.995000", shown: 65, grade: "C"},
		{name: "64.994722 → 64.99 → D", as: nrr(2.6, 2.5981), exact: "64.994722", shown: 64.99, grade: "D"},
	} {
		tt.id, tt.node = "ikm-2017", instrument.TotalNode
		t.Run(tt.name, func(t *testing.T) { checkThreshold(t, tt) })
	}
}

// PEKPPP, PermenPANRB 29/2022 as amended by 4/2023, Pedoman MenPANRB 5/2023: IPP = 75% F-02 +
// 25% F-03; A 4,51–5,00, A- 4,01–4,50, B 3,51–4,00, B- 3,01–3,50, C 2,51–3,00, C- 2,01–2,50,
// D 1,51–2,00, E 1,01–1,50, F 0–1,00. Every F-02 indicator at the band's upper value b and F-03 at
// b + 0.02 gives b + 0.005: the half just below the next band's edge.
func TestThresholdHalvesPEKPPP(t *testing.T) {
	pek := sheet(t, "pekppp-2022")
	blend := func(f02, f03 float64) Answers {
		as := allOf(pek, number(f02))
		as["F03.a"] = number(f03)
		return as
	}
	for _, tt := range []struct {
		b             float64
		above, within string
	}{
		{4.5, "A", "A-"}, {4, "A-", "B"}, {3.5, "B", "B-"}, {3, "B-", "C"}, {2.5, "C", "C-"},
		{2, "C-", "D"}, {1.5, "D", "E"}, {1, "E", "F"},
	} {
		up := threshold{name: fmt.Sprintf("%.3f → %.2f → %s", tt.b+0.005, tt.b+0.01, tt.above), id: "pekppp-2022", node: instrument.TotalNode,
			as: blend(tt.b, tt.b+0.02), exact: fmt.Sprintf("%.6f", tt.b+0.005), shown: Round2(tt.b + 0.01), grade: tt.above}
		down := threshold{name: fmt.Sprintf("%.5f → %.2f → %s", tt.b+0.0049, tt.b, tt.within), id: "pekppp-2022", node: instrument.TotalNode,
			as: blend(tt.b, tt.b+0.0196), exact: fmt.Sprintf("%.6f", tt.b+0.0049), shown: tt.b, grade: tt.within}
		t.Run(up.name, func(t *testing.T) { checkThreshold(t, up) })
		t.Run(down.name, func(t *testing.T) { checkThreshold(t, down) })
	}
	// The blend itself: F-02 4.20 and F-03 4.50 give 0.75 × 4.20 + 0.25 × 4.50 = 4.275 → 4.28 (A-).
	r := mustScore(t, pek, blend(4.2, 4.5), nil)
	if r.Total != 4.28 || r.Nodes["F02"] != 3.15 || r.Nodes["F03"] != 1.13 || gradeKey(r) != "A-" {
		t.Errorf("blend: total %v F02 %v F03 %v grade %s; want 4.28, 3.15, 1.13 (1.125), A-", r.Total, r.Nodes["F02"], r.Nodes["F03"], gradeKey(r))
	}
}

// New Normal (local instrument): SIAP ≥ 85, SIAP_CATATAN ≥ 70, TATAP_MUKA total ≥ 70 and
// protokol kesehatan ≥ 24. KW.2 (percent) moves the total by 0.04 a point.
func TestThresholdHalvesNewNormal(t *testing.T) {
	nn := sheet(t, "new-normal-2020")
	ldWorst := m{"LD.1": "D", "LD.2": "Tidak", "LD.3": "D", "LD.4": "D", "LD.5": "D", "LD.6": "Tidak"}
	at70 := merge(ldWorst, m{"KW.1": "Tidak", "KW.4": "Tidak"})
	at85 := m{"KW.1": "Tidak", "KW.4": "Tidak", "KW.5": "Tidak"}
	for _, tt := range []threshold{
		{name: "84.995 → 85.00 → SIAP", as: best(t, nn, merge(at85, m{"KW.2": 24.875})), exact: "84.995000", shown: 85, grade: "SIAP", pred: "TATAP_MUKA", pass: true},
		{name: "84.994 → 84.99 → SIAP_CATATAN", as: best(t, nn, merge(at85, m{"KW.2": 24.85})), exact: "84.994000", shown: 84.99, grade: "SIAP_CATATAN", pred: "TATAP_MUKA", pass: true},
		{name: "69.995 → 70.00: SIAP_CATATAN and TATAP_MUKA", as: best(t, nn, merge(at70, m{"KW.2": 49.875})), exact: "69.995000", shown: 70, grade: "SIAP_CATATAN", pred: "TATAP_MUKA", pass: true},
		{name: "69.994 → 69.99: BELUM_SIAP, no TATAP_MUKA", as: best(t, nn, merge(at70, m{"KW.2": 49.85})), exact: "69.994000", shown: 69.99, grade: "BELUM_SIAP", pred: "TATAP_MUKA"},
	} {
		tt.id, tt.node = "new-normal-2020", instrument.TotalNode
		t.Run(tt.name, func(t *testing.T) { checkThreshold(t, tt) })
	}
	// PK has 11 indicators on 30 points: its scores are multiples of 30/11 × the option values,
	// never an exact half, so its minimum (24) is checked on the judge: 23.995 rounds to 24.00.
	pk := instrument.Rule{Node: "PK", Min: ptr(24.0)}
	if _, failed := nodeRule("TATAP_MUKA", pk, map[string]float64{"PK": 23.995}, 0); failed {
		t.Error("PK 23.995 must round to 24.00 and pass")
	}
	if _, failed := nodeRule("TATAP_MUKA", pk, map[string]float64{"PK": 23.994}, 0); !failed {
		t.Error("PK 23.994 must round to 23.99 and fail")
	}
}

// SAKIP, PermenPANRB 88/2021: AA > 90, A > 80, BB > 70, B > 60, CC > 50, C > 30, D otherwise.
// Every kriteria value is a multiple of 0.1, and the only sub-komponen whose share is not a
// multiple of 0.05 is perencanaan/pemanfaatan (15 points over 8 kriteria: steps of 0.1875), so a
// total can end in …25 or …75 but never in an exact half just below a band's edge (x0.005).
// The edge is checked on the grade judge, and a reachable half (90.025, AA) on the engine.
func TestThresholdHalvesSAKIP(t *testing.T) {
	sakip := sheet(t, "sakip-2021")
	for _, tt := range []struct {
		total float64
		want  string
	}{
		{90.005, "AA"}, {90.0049, "A"}, {80.005, "A"}, {80.0049, "BB"}, {70.005, "BB"}, {70.0049, "B"},
		{60.005, "B"}, {60.0049, "CC"}, {50.005, "CC"}, {50.0049, "C"}, {30.005, "C"}, {30.0049, "D"},
	} {
		if g, _ := GradeOf(sakip, tt.total); g.Key != tt.want {
			t.Errorf("GradeOf(%v) = %s, want %s", tt.total, g.Key, tt.want)
		}
	}
	// All A is 90.00; two perencanaan/pemanfaatan kriteria at AA add 2 × 0.1875 (90.375); the six
	// pengukuran/keberadaan kriteria at BB take 6 × 0.05 and one pengukuran/kualitas kriteria
	// 0.05 (3 points over 6, 4.5 over 9): 90.025, which rounds to 90.03.
	as := allOf(sakip, opt("A"))
	for _, c := range []string{"PK.PM.1", "PK.PM.2"} {
		as[c] = opt("AA")
	}
	for _, c := range []string{"PL.KB.1", "PL.KB.2", "PL.KB.3", "PL.KB.4", "PL.KB.5", "PL.KB.6", "PL.KU.1"} {
		as[c] = opt("BB")
	}
	checkThreshold(t, threshold{id: "sakip-2021", as: as, node: instrument.TotalNode, exact: "90.025000", shown: 90.03, grade: "AA"})
}

func ptr(x float64) *float64 { return &x }
