package scoring

import (
	"encoding/json"
	"math/big"
	"slices"
	"strings"
	"testing"

	"github.com/rapor-rb/raporrb/app/instrument"
)

func TestRound2(t *testing.T) {
	for _, tt := range []struct{ in, want float64 }{
		{90.00000000000001, 90}, {89.99999999999999, 90}, {15.70625, 15.71}, {13.95625, 13.96},
		{0.125, 0.13}, {-0.125, -0.13}, {74.9875, 74.99}, {0, 0},
	} {
		if got := Round2(tt.in); got != tt.want {
			t.Errorf("Round2(%v) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// For every shipped sheet: all-best answers reach scale_max, no answers score 0 and leave every
// indicator missing.
func TestEverySheetBestAndEmpty(t *testing.T) {
	for _, in := range catalog.List() {
		t.Run(in.ID, func(t *testing.T) {
			r := mustScore(t, in, best(t, in, nil), nil)
			if r.Total != in.ScaleMax || len(r.Missing) != 0 {
				t.Errorf("all best: total %v, missing %v; want %v and none", r.Total, r.Missing, in.ScaleMax)
			}
			in.Walk(func(a *instrument.Area, _ int) {
				if got, want := r.Nodes[a.Code], Round2(in.Points(a)); got != want {
					t.Errorf("all best: %s = %v, want its points %v", a.Code, got, want)
				}
			})

			r = mustScore(t, in, nil, nil)
			if r.Total != 0 {
				t.Errorf("empty: total %v, want 0", r.Total)
			}
			var codes []string
			for _, ind := range in.Indicators() {
				codes = append(codes, ind.Code)
			}
			if !slices.Equal(r.Missing, codes) {
				t.Errorf("empty: missing = %v, want every indicator in sheet order", r.Missing)
			}
			n := 0
			in.Walk(func(a *instrument.Area, _ int) {
				n++
				if v, ok := r.Nodes[a.Code]; !ok || v != 0 {
					t.Errorf("empty: %s = %v, %v; want 0", a.Code, v, ok)
				}
			})
			if len(r.Nodes) != n {
				t.Errorf("empty: %d nodes, want %d (areas only)", len(r.Nodes), n)
			}
			for _, p := range in.Predicates {
				if v, ok := r.Predicates[p.Key]; !ok || v {
					t.Errorf("empty: predicate %s = %v, %v; want false", p.Key, v, ok)
				}
			}
			if len(in.Grades) == 0 && r.Grade != nil {
				t.Errorf("empty: grade %q for an instrument without grades", *r.Grade)
			}
			if len(in.Grades) > 0 && gradeKey(r) != in.Grades[len(in.Grades)-1].Key {
				t.Errorf("empty: grade %s, want the catch-all %s", gradeKey(r), in.Grades[len(in.Grades)-1].Key)
			}
		})
	}
}

// The JSON of a Result is the `raporrb score` contract: grade null without grades, missing []
// rather than null, predicates {} rather than null.
func TestResultJSONShape(t *testing.T) {
	zi := sheet(t, "zi-2021")
	b, err := json.Marshal(mustScore(t, zi, best(t, zi, nil), nil))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`{"instrument":"zi-2021","total":100,"grade":null,"predicates":{"WBBM":true,"WBK":true},"nodes":{`, `"missing":[]}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("JSON %s\nlacks %s", b, want)
		}
	}
	ikm := sheet(t, "ikm-2017")
	b, err = json.Marshal(mustScore(t, ikm, nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"instrument":"ikm-2017","total":0,"grade":"D","predicates":{},"nodes":{"IKM":0},"missing":["IKM.U1",`; !strings.HasPrefix(string(b), want) {
		t.Errorf("JSON %s\nwant prefix %s", b, want)
	}
}

// SAKIP, PermenPANRB 88/2021: AA > 90, A > 80, BB > 70, B > 60, CC > 50, C > 30, D otherwise.
// Answering every kriteria with the same grade gives 100 × its value, which lands exactly on a
// band's bound; raising one kriteria (PK.KB.1, 1 point) one grade lands just above it.
func TestSAKIPBands(t *testing.T) {
	sakip := sheet(t, "sakip-2021")
	for _, tt := range []struct {
		name  string
		all   string // every kriteria
		raise string // PK.KB.1 instead, "" for none
		total float64
		grade string
	}{
		{"all AA: 100", "AA", "", 100, "AA"},
		{"all A: 90.00 is not > 90", "A", "", 90, "A"},
		{"all A, one AA: 90.10 > 90", "A", "AA", 90.1, "AA"},
		{"all BB: 80.00 is not > 80", "BB", "", 80, "BB"},
		{"all BB, one A: 80.10 > 80", "BB", "A", 80.1, "A"},
		{"all B: 70.00 is not > 70", "B", "", 70, "B"},
		{"all B, one BB: 70.10 > 70", "B", "BB", 70.1, "BB"},
		{"all CC: 60.00 is not > 60", "CC", "", 60, "CC"},
		{"all CC, one B: 60.10 > 60", "CC", "B", 60.1, "B"},
		{"all C: 50.00 is not > 50", "C", "", 50, "C"},
		{"all C, one CC: 50.10 > 50", "C", "CC", 50.1, "CC"},
		{"all D: 30.00 is not > 30", "D", "", 30, "D"},
		{"all D, one C: 30.20 > 30", "D", "C", 30.2, "C"},
		{"all E: 0", "E", "", 0, "D"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			as := allOf(sakip, opt(tt.all))
			if tt.raise != "" {
				as["PK.KB.1"] = opt(tt.raise)
			}
			r := mustScore(t, sakip, as, nil)
			if r.Total != tt.total || gradeKey(r) != tt.grade {
				t.Errorf("total %v grade %s, want %v %s", r.Total, gradeKey(r), tt.total, tt.grade)
			}
		})
	}
}

// The float sum of every SAKIP kriteria at A is a hair above 90 (unrounded it would be AA);
// the exact sum the engine computes is 90 exactly.
func TestSAKIPAllAIsExactlyNinety(t *testing.T) {
	sakip := sheet(t, "sakip-2021")
	as := allOf(sakip, opt("A"))
	// The float computation the engine used before: leaf = points × (sum / n), parents summed.
	var float func(a *instrument.Area) float64
	float = func(a *instrument.Area) float64 {
		var s float64
		if a.IsLeaf() {
			for range a.Indicators {
				s += 0.9
			}
			return a.Weight / 100 * sakip.ScaleMax * (s / float64(len(a.Indicators)))
		}
		for _, c := range a.Areas {
			s += float(c)
		}
		return s
	}
	var raw float64
	for _, root := range sakip.Areas {
		raw += float(root)
	}
	if raw != 90.00000000000001 {
		t.Logf("the float sum is %v here; the exact sum must be 90 anyway", raw)
	}
	_, total := exactScores(sakip, as)
	if total.Cmp(big.NewRat(90, 1)) != 0 {
		t.Fatalf("exact all-A total = %s, want 90", total.FloatString(20))
	}
	if g, _ := GradeOf(sakip, 90); g.Key != "A" {
		t.Errorf("GradeOf(90) = %s, want A", g.Key)
	}
}

// Band edges at the 2-decimal precision the official tables use: a score is compared after
// rounding, `above` strict, `min` inclusive, first match wins.
func TestGradeOfEdges(t *testing.T) {
	for _, tt := range []struct {
		id    string
		total float64
		want  string
	}{
		{"sakip-2021", 90.01, "AA"}, {"sakip-2021", 90.006, "AA"}, {"sakip-2021", 90.004, "A"},
		{"sakip-2021", 80.01, "A"}, {"sakip-2021", 80.004, "BB"}, {"sakip-2021", 30.01, "C"}, {"sakip-2021", 30, "D"},
		{"ikm-2017", 88.31, "A"}, {"ikm-2017", 88.304, "B"}, {"ikm-2017", 76.61, "B"}, {"ikm-2017", 76.6, "C"},
		{"ikm-2017", 65, "C"}, {"ikm-2017", 64.996, "C"}, {"ikm-2017", 64.994, "D"}, {"ikm-2017", 64.99, "D"},
		{"pekppp-2022", 4.51, "A"}, {"pekppp-2022", 4.504, "A-"}, {"pekppp-2022", 1.0, "F"},
		{"new-normal-2020", 85, "SIAP"}, {"new-normal-2020", 84.996, "SIAP"}, {"new-normal-2020", 84.994, "SIAP_CATATAN"},
		{"new-normal-2020", 70, "SIAP_CATATAN"}, {"new-normal-2020", 69.99, "BELUM_SIAP"},
	} {
		g, ok := GradeOf(sheet(t, tt.id), tt.total)
		if !ok || g.Key != tt.want {
			t.Errorf("GradeOf(%s, %v) = %s, %v; want %s", tt.id, tt.total, g.Key, ok, tt.want)
		}
	}
	if _, ok := GradeOf(sheet(t, "zi-2021"), 100); ok {
		t.Error("GradeOf(zi-2021) found a grade; ZI has none")
	}
}

// PEKPPP, PermenPANRB 29/2022: IPP 0..5; A > 4.5, A- > 4.0, B > 3.5, B- > 3.0, C > 2.5,
// C- > 2.0, D > 1.5, E > 1.0, F otherwise. Every indicator answered x gives IPP x.
func TestPEKPPPBands(t *testing.T) {
	pek := sheet(t, "pekppp-2022")
	for _, tt := range []struct {
		x     float64
		grade string
	}{
		{5, "A"}, {4.51, "A"}, {4.5, "A-"}, {4.01, "A-"}, {4, "B"}, {3.51, "B"}, {3.5, "B-"},
		{3.01, "B-"}, {3, "C"}, {2.51, "C"}, {2.5, "C-"}, {2.01, "C-"}, {2, "D"}, {1.51, "D"},
		{1.5, "E"}, {1.01, "E"}, {1, "F"}, {0, "F"},
	} {
		r := mustScore(t, pek, allOf(pek, number(tt.x)), nil)
		if r.Total != tt.x || gradeKey(r) != tt.grade {
			t.Errorf("every indicator %v: total %v grade %s, want %v %s", tt.x, r.Total, gradeKey(r), tt.x, tt.grade)
		}
	}
}

// IKM, PermenPANRB 14/2017: IKM = 25 × ΣNRR/9; A > 88.30 (NRR 3.5324), B > 76.60 (3.0644),
// C > 64.99 (2.60), D otherwise.
func TestIKM(t *testing.T) {
	ikm := sheet(t, "ikm-2017")
	for _, tt := range []struct {
		name  string
		nrr   []float64 // U1..U9, or one value for all
		total float64
		grade string
	}{
		{"all NRR 4: 100", []float64{4}, 100, "A"},
		{"all NRR 3.5324: 88.31", []float64{3.5324}, 88.31, "A"},
		{"all NRR 3.532: 88.30 is not > 88.30", []float64{3.532}, 88.3, "B"},
		{"all NRR 3.2: 80.00", []float64{3.2}, 80, "B"},
		{"all NRR 3.0644: 76.61", []float64{3.0644}, 76.61, "B"},
		{"all NRR 3.064: 76.60 is not > 76.60", []float64{3.064}, 76.6, "C"},
		{"all NRR 2.6: 65.00", []float64{2.6}, 65, "C"},
		{"all NRR 2.5996: 64.99 is not > 64.99", []float64{2.5996}, 64.99, "D"},
		{"all NRR 1: 25", []float64{1}, 25, "D"},
		{"mixed NRR summing to 30: 25 × 30/9 = 83.33", []float64{3.5, 3.2, 3.0, 4.0, 3.1, 3.3, 3.4, 2.9, 3.6}, 83.33, "B"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			as := Answers{}
			for i, ind := range ikm.Indicators() {
				as[ind.Code] = number(tt.nrr[i%len(tt.nrr)])
			}
			r := mustScore(t, ikm, as, nil)
			if r.Total != tt.total || gradeKey(r) != tt.grade {
				t.Errorf("total %v grade %s, want %v %s", r.Total, gradeKey(r), tt.total, tt.grade)
			}
		})
	}
}

// new-normal-2020 (local instrument): TATAP_MUKA needs protokol kesehatan PK ≥ 24 (80% of 30)
// and total ≥ 70; grades SIAP ≥ 85, SIAP_CATATAN ≥ 70.
func TestNewNormalTatapMuka(t *testing.T) {
	nn := sheet(t, "new-normal-2020")
	ldWorst := m{"LD.1": "D", "LD.2": "Tidak", "LD.3": "D", "LD.4": "D", "LD.5": "D", "LD.6": "Tidak"}
	for _, tt := range []struct {
		name    string
		mods    m
		want    bool
		failing []string
		total   float64
		grade   string
	}{
		{"all best", nil, true, nil, 100, "SIAP"},
		// PK has 11 indicators; 9 of 11 met gives 30 × 9/11 = 24.55, 8 of 11 gives 21.82.
		{"PK 24.55 (two Tidak) meets PK >= 24", m{"PK.1": "Tidak", "PK.2": "Tidak"}, true, nil, 94.55, "SIAP"},
		{"PK 21.82 (three Tidak) fails PK >= 24", m{"PK.1": "Tidak", "PK.2": "Tidak", "PK.3": "Tidak"}, false, []string{"PK"}, 91.82, "SIAP"},
		// LD 0 (−20), KW.1 and KW.4 Tidak (−8), KW.2 50% (−2): total 70.
		{"total 70.00 meets total >= 70", merge(ldWorst, m{"KW.1": "Tidak", "KW.4": "Tidak", "KW.2": 50}), true, nil, 70, "SIAP_CATATAN"},
		{"total 69.99 fails total >= 70", merge(ldWorst, m{"KW.1": "Tidak", "KW.4": "Tidak", "KW.2": 49.75}), false, []string{"total"}, 69.99, "BELUM_SIAP"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := mustScore(t, nn, best(t, nn, tt.mods), nil)
			if r.Total != tt.total || gradeKey(r) != tt.grade {
				t.Errorf("total %v grade %s, want %v %s", r.Total, gradeKey(r), tt.total, tt.grade)
			}
			if r.Predicates["TATAP_MUKA"] != tt.want {
				t.Errorf("TATAP_MUKA = %v, want %v", r.Predicates["TATAP_MUKA"], tt.want)
			}
			want := tt.failing
			if want == nil {
				want = []string{}
			}
			if got := failing(nn, r, nil, "TATAP_MUKA"); !slices.Equal(got, want) {
				t.Errorf("failing = %v, want %v", got, want)
			}
		})
	}
}

// The rule functions compare rounded scores with rounded thresholds, so a bound that no answer
// set of a sheet hits exactly (PK = 24.00 in new-normal-2020) is still judged right.
func TestRuleFunctionsAtBounds(t *testing.T) {
	min24 := 24.0
	rule := instrument.Rule{Node: "PK", Min: &min24}
	for _, tt := range []struct {
		pk   float64
		fail bool
	}{{24, false}, {23.996, false}, {23.994, true}, {23.99, true}, {24.01, false}} {
		if _, failed := nodeRule("TATAP_MUKA", rule, map[string]float64{"PK": tt.pk}, 100); failed != tt.fail {
			t.Errorf("nodeRule(PK %v >= 24) failed = %v, want %v", tt.pk, failed, tt.fail)
		}
	}
	total70 := 70.0
	if _, failed := nodeRule("TATAP_MUKA", instrument.Rule{Node: instrument.TotalNode, Min: &total70}, nil, 69.999); failed {
		t.Error("nodeRule(total 69.999 → 70.00 >= 70) failed")
	}

	zi := sheet(t, "zi-2021")
	ratio := 0.6
	each := instrument.Rule{EachChildOf: "P", MinRatio: &ratio}
	nodes := map[string]float64{"P.MP": 4.8, "P.TT": 4.2, "P.SDM": 6, "P.AK": 6, "P.PW": 9, "P.PP": 6}
	if fs := eachChildRule(zi, "WBK", each, nodes); len(fs) != 0 {
		t.Errorf("eachChildRule(every area at exactly 60%%) = %+v, want none", fs)
	}
	nodes["P.TT"], nodes["P.PW"] = 4.19, 8.99
	fs := eachChildRule(zi, "WBK", each, nodes)
	if len(fs) != 2 || fs[0].Node != "P.TT" || fs[0].Min != 4.2 || fs[1].Node != "P.PW" || fs[1].Min != 9 {
		t.Errorf("eachChildRule(P.TT 4.19, P.PW 8.99) = %+v, want both named with 4.2 and 9", fs)
	}

	wbbm, _ := zi.Predicate("WBBM")
	for _, tt := range []struct {
		prev Previous
		fail bool
	}{{nil, false}, {Previous{}, false}, {Previous{"WBK": true}, false}, {Previous{"WBK": false}, true}} {
		if _, failed := previousRule(wbbm, tt.prev); failed != tt.fail {
			t.Errorf("previousRule(WBBM, %v) failed = %v, want %v", tt.prev, failed, tt.fail)
		}
	}
}

// A leaf scores points × the mean of its indicators; unanswered indicators count 0.
func TestLeafScore(t *testing.T) {
	zi := sheet(t, "zi-2021")
	leaf, _ := zi.Node("P.MP.PM.1") // 0.5 points: a yn and an abc indicator
	for _, tt := range []struct {
		as   Answers
		want float64
	}{
		{Answers{"P.MP.PM.1.a": opt("Ya"), "P.MP.PM.1.b": opt("A")}, 0.5},
		{Answers{"P.MP.PM.1.a": opt("Ya"), "P.MP.PM.1.b": opt("B")}, 0.375},
		{Answers{"P.MP.PM.1.a": opt("Ya")}, 0.25},
		{Answers{}, 0},
	} {
		got := leafExact(zi, leaf, func(code string) *big.Rat { return indicatorExact(zi, code, tt.as) })
		if f, _ := got.Float64(); f != tt.want {
			t.Errorf("leafExact(%v) = %v, want %v", tt.as, f, tt.want)
		}
	}
}
