package scoring

import (
	"slices"
	"testing"
)

// Zona Integritas, PermenPANRB 90/2021. Points: pengungkit P = 60 (MP 8, TT 7, SDM 10, AK 10,
// PW 15, PP 10), hasil H = 40 (H.BA 22.5 = IPAK 17.5 + KIN 5; H.PP 17.5 = IPKP 17.5).
// Every case starts from all-best answers (total 100) and lowers a few indicators; the numbers
// in the comments are the resulting scores.

// H at the WBK minimums: IPAK 3.60/4 × 17.5 = 15.75, KIN "C" 0.5 × 5 = 2.50, IPKP 3.20/4 × 17.5
// = 14.00; H = 32.25.
var ziWBKHasil = m{"H.BA.IPAK.a": 3.6, "H.BA.KIN.a": "C", "H.PP.IPKP.a": 3.2}

// H at the WBBM minimums: IPAK 15.75, KIN "B" 0.75 × 5 = 3.75, IPKP 3.60 → 15.75; H = 35.25.
var ziWBBMHasil = m{"H.BA.IPAK.a": 3.6, "H.BA.KIN.a": "B", "H.PP.IPKP.a": 3.6}

// Lowers P by 17.25 to 42.75, every area staying ≥ 60%: SDM −3.5 (RF.3 0%, RF.1 C), AK −3.5
// (RF.1 0%, RF.2 D), PW −5 (RF.2 and RF.3 0%), PP −3.25 (RF.2 D, RF.1.b 40%), MP −2 (RF.2 E, RF.3 D).
var ziP4275 = m{
	"P.SDM.RF.3.a": 0, "P.SDM.RF.1.a": "C",
	"P.AK.RF.1.a": 0, "P.AK.RF.2.a": "D",
	"P.PW.RF.2.a": 0, "P.PW.RF.3.a": 0, "P.PW.RF.3.b": 0,
	"P.PP.RF.2.a": "D", "P.PP.RF.1.b": 40,
	"P.MP.RF.2.a": "E", "P.MP.RF.3.a": "D",
}

// Lowers P by 20 to 40.00, every area staying ≥ 60%: as ziP4275 but PP −3.75 (RF.1.b 0%),
// TT −2 (RF.3 all E) and MP −2.25 (RF.1.a 75%: each percent point of P.MP.RF.1.a is 0.01).
var ziP40 = merge(ziP4275, m{
	"P.PP.RF.1.b": 0,
	"P.TT.RF.3.a": "E", "P.TT.RF.3.b": "E", "P.TT.RF.3.c": "E",
	"P.MP.RF.1.a": 75,
})

// The six pengungkit areas and their points.
var ziAreas = map[string]float64{"P.MP": 8, "P.TT": 7, "P.SDM": 10, "P.AK": 10, "P.PW": 15, "P.PP": 10}

type ziCase struct {
	name    string
	mods    m // on top of all-best answers
	prev    Previous
	want    bool
	failing []string           // failed conditions per Explain: node codes, or "previous:KEY"
	nodes   map[string]float64 // scores that show the case is what its name says
}

func runZI(t *testing.T, key string, cases []ziCase) {
	zi := sheet(t, "zi-2021")
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			r := mustScore(t, zi, best(t, zi, tt.mods), tt.prev)
			checkNodes(t, r, tt.nodes)
			if got := r.Predicates[key]; got != tt.want {
				t.Errorf("%s = %v, want %v", key, got, tt.want)
			}
			want := tt.failing
			if want == nil {
				want = []string{}
			}
			if got := failing(zi, r, tt.prev, key); !slices.Equal(got, want) {
				t.Errorf("%s failing = %v, want %v", key, got, want)
			}
		})
	}
}

func TestZIWBK(t *testing.T) {
	runZI(t, "WBK", []ziCase{
		{name: "all best: total 100", want: true, nodes: map[string]float64{"total": 100, "P": 60, "H": 40}},
		{name: "earlier WBK=false does not matter (WBK has no requires_previous)", prev: Previous{"WBK": false}, want: true},

		// total ≥ 75: only binding when H is near its minimum (32.25) and P is 40..42.75.
		{name: "total 75.00 (P 42.75 + H 32.25) meets total >= 75", mods: merge(ziWBKHasil, ziP4275), want: true,
			nodes: map[string]float64{"total": 75, "P": 42.75, "H": 32.25, "P.PP": 6.75}},
		{name: "total 74.99 fails total >= 75", mods: merge(ziWBKHasil, ziP4275, m{"P.MP.RF.1.a": 99}),
			failing: []string{"total"}, nodes: map[string]float64{"total": 74.99, "P": 42.74}},

		// P ≥ 40 (pengungkit), with H at 40 so the total (80) is not binding.
		{name: "P 40.00 meets pengungkit >= 40", mods: ziP40, want: true,
			nodes: map[string]float64{"P": 40, "total": 80, "P.MP": 5.75, "P.TT": 5, "P.PP": 6.25}},
		{name: "P 39.99 fails pengungkit >= 40", mods: merge(ziP40, m{"P.MP.RF.1.a": 74}),
			failing: []string{"P"}, nodes: map[string]float64{"P": 39.99, "total": 79.99}},

		// Each of the six P areas ≥ 60% of its points.
		{name: "P.MP 4.80 = 60% of 8", want: true,
			mods:  m{"P.MP.RF.2.a": "E", "P.MP.RF.3.a": "D", "P.MP.RF.1.a": 0, "P.MP.RF.1.b": 80},
			nodes: map[string]float64{"P.MP": 4.8}},
		{name: "P.MP 4.79 < 60% of 8", failing: []string{"P.MP"},
			mods:  m{"P.MP.RF.2.a": "E", "P.MP.RF.3.a": "D", "P.MP.RF.1.a": 0, "P.MP.RF.1.b": 79},
			nodes: map[string]float64{"P.MP": 4.79}},
		{name: "P.SDM 6.00 = 60% of 10", want: true,
			mods:  m{"P.SDM.RF.1.a": "C", "P.SDM.RF.2.a": "C", "P.SDM.RF.3.a": 50},
			nodes: map[string]float64{"P.SDM": 6}},
		{name: "P.SDM 5.98 < 60% of 10", failing: []string{"P.SDM"},
			mods:  m{"P.SDM.RF.1.a": "C", "P.SDM.RF.2.a": "C", "P.SDM.RF.3.a": 49},
			nodes: map[string]float64{"P.SDM": 5.98}},
		{name: "P.AK 6.00 = 60% of 10", want: true,
			mods:  m{"P.AK.RF.2.a": "D", "P.AK.RF.3.a": "D", "P.AK.RF.1.a": 50},
			nodes: map[string]float64{"P.AK": 6}},
		{name: "P.AK 5.98 < 60% of 10", failing: []string{"P.AK"},
			mods:  m{"P.AK.RF.2.a": "D", "P.AK.RF.3.a": "D", "P.AK.RF.1.a": 49},
			nodes: map[string]float64{"P.AK": 5.98}},
		{name: "P.PW 9.00 = 60% of 15", want: true,
			mods:  m{"P.PW.RF.3.a": 0, "P.PW.RF.3.b": 0, "P.PW.RF.1.a": "E", "P.PW.RF.2.a": 50},
			nodes: map[string]float64{"P.PW": 9}},
		{name: "P.PW 8.97 < 60% of 15", failing: []string{"P.PW"},
			mods:  m{"P.PW.RF.3.a": 0, "P.PW.RF.3.b": 0, "P.PW.RF.1.a": "E", "P.PW.RF.2.a": 49},
			nodes: map[string]float64{"P.PW": 8.97}},
		{name: "P.PP 6.00 = 60% of 10", want: true,
			mods:  m{"P.PP.RF.2.a": "D", "P.PP.RF.1.a": "D", "P.PP.RF.1.b": 80},
			nodes: map[string]float64{"P.PP": 6}},
		{name: "P.PP 5.99 < 60% of 10", failing: []string{"P.PP"},
			mods:  m{"P.PP.RF.2.a": "D", "P.PP.RF.1.a": "D", "P.PP.RF.1.b": 79},
			nodes: map[string]float64{"P.PP": 5.99}},

		// IPAK ≥ 15.75 (survey 3.60 of 4), with KIN at A so H.BA (≥ 18.25) holds.
		{name: "IPAK 3.60 gives 15.75", mods: m{"H.BA.IPAK.a": 3.6}, want: true,
			nodes: map[string]float64{"H.BA.IPAK": 15.75, "H.BA": 20.75}},
		{name: "IPAK 3.59 gives 15.71 < 15.75", mods: m{"H.BA.IPAK.a": 3.59}, failing: []string{"H.BA.IPAK"},
			nodes: map[string]float64{"H.BA.IPAK": 15.71}},

		// H.BA ≥ 18.25 is exactly IPAK 15.75 + KIN 2.50, so it cannot fail alone.
		{name: "H.BA 18.25 = IPAK 15.75 + KIN C 2.50", mods: m{"H.BA.IPAK.a": 3.6, "H.BA.KIN.a": "C"}, want: true,
			nodes: map[string]float64{"H.BA": 18.25}},
		{name: "H.BA 18.21 (IPAK 3.59, KIN C) < 18.25", mods: m{"H.BA.IPAK.a": 3.59, "H.BA.KIN.a": "C"},
			failing: []string{"H.BA", "H.BA.IPAK"}, nodes: map[string]float64{"H.BA": 18.21}},

		// KIN ≥ 2.5 (capaian kinerja, A..E on 5 points).
		{name: "KIN C gives 2.50", mods: m{"H.BA.KIN.a": "C"}, want: true, nodes: map[string]float64{"H.BA.KIN": 2.5}},
		{name: "KIN D gives 1.25 < 2.5", mods: m{"H.BA.KIN.a": "D"}, failing: []string{"H.BA.KIN"},
			nodes: map[string]float64{"H.BA.KIN": 1.25, "H.BA": 18.75}},

		// H.PP ≥ 14.0 (IPKP 3.20 of 4).
		{name: "IPKP 3.20 gives H.PP 14.00", mods: m{"H.PP.IPKP.a": 3.2}, want: true, nodes: map[string]float64{"H.PP": 14}},
		{name: "IPKP 3.19 gives H.PP 13.96 < 14", mods: m{"H.PP.IPKP.a": 3.19}, failing: []string{"H.PP"},
			nodes: map[string]float64{"H.PP": 13.96}},
	})
}

// P lowered by 10.25 to 49.75, every area staying ≥ 75%: MP −1 (RF.3 D), SDM −2 (RF.3 0%),
// AK −2 (RF.1 0%), PW −3.5 (RF.3 0%, RF.2 50%), PP −1.25 (RF.1.b 0%), TT −0.5 (PM.2.a/b B).
var ziP4975 = m{
	"P.MP.RF.3.a": "D", "P.SDM.RF.3.a": 0, "P.AK.RF.1.a": 0,
	"P.PW.RF.3.a": 0, "P.PW.RF.3.b": 0, "P.PW.RF.2.a": 50,
	"P.PP.RF.1.b": 0, "P.TT.PM.2.a": "B", "P.TT.PM.2.b": "B",
}

// P lowered by 12 to 48.00, every area staying ≥ 75%: MP −1, SDM −2, AK −2, PW −3.5 as above,
// PP −2.5 (RF.2 D: exactly 75%), TT −1 (PM.2.a/b C).
var ziP48 = m{
	"P.MP.RF.3.a": "D", "P.SDM.RF.3.a": 0, "P.AK.RF.1.a": 0,
	"P.PW.RF.3.a": 0, "P.PW.RF.3.b": 0, "P.PW.RF.2.a": 50,
	"P.PP.RF.2.a": "D", "P.TT.PM.2.a": "C", "P.TT.PM.2.b": "C",
}

func TestZIWBBM(t *testing.T) {
	runZI(t, "WBBM", []ziCase{
		{name: "all best, earlier result unknown: judged on rules", want: true},
		{name: "all best, earlier WBK", prev: Previous{"WBK": true}, want: true},
		{name: "all best, earlier result without WBK", prev: Previous{"WBK": false}, failing: []string{"previous:WBK"}},
		{name: "all best, earlier result lacks the WBK key: ignored", prev: Previous{"WBBM": true}, want: true},
		{name: "earlier WBK does not rescue a failed rule", prev: Previous{"WBK": true},
			mods: m{"H.PP.IPKP.a": 3.59}, failing: []string{"H.PP"}},
		{name: "failed rule and no earlier WBK", prev: Previous{"WBK": false},
			mods: m{"H.PP.IPKP.a": 3.59}, failing: []string{"H.PP", "previous:WBK"}},

		// total ≥ 85.
		{name: "total 85.00 (P 49.75 + H 35.25) meets total >= 85", mods: merge(ziWBBMHasil, ziP4975), want: true,
			nodes: map[string]float64{"total": 85, "P": 49.75, "H": 35.25, "P.PW": 11.5}},
		{name: "total 84.99 fails total >= 85", mods: merge(ziWBBMHasil, ziP4975, m{"P.MP.RF.1.a": 99}),
			failing: []string{"total"}, nodes: map[string]float64{"total": 84.99}},

		// P ≥ 48.
		{name: "P 48.00 meets pengungkit >= 48", mods: ziP48, want: true,
			nodes: map[string]float64{"P": 48, "total": 88, "P.PP": 7.5, "P.TT": 6}},
		{name: "P 47.99 fails pengungkit >= 48", mods: merge(ziP48, m{"P.MP.RF.1.a": 99}),
			failing: []string{"P"}, nodes: map[string]float64{"P": 47.99}},

		// Each P area ≥ 75% of its points.
		{name: "P.MP 6.00 = 75% of 8", mods: m{"P.MP.RF.2.a": "E", "P.MP.RF.3.a": "D"}, want: true,
			nodes: map[string]float64{"P.MP": 6}},
		{name: "P.MP 5.99 < 75% of 8", mods: m{"P.MP.RF.2.a": "E", "P.MP.RF.3.a": "D", "P.MP.RF.1.a": 99},
			failing: []string{"P.MP"}, nodes: map[string]float64{"P.MP": 5.99}},
		{name: "P.SDM 7.50 = 75% of 10", mods: m{"P.SDM.RF.1.a": "C", "P.SDM.RF.3.a": 50}, want: true,
			nodes: map[string]float64{"P.SDM": 7.5}},
		{name: "P.SDM 7.48 < 75% of 10", mods: m{"P.SDM.RF.1.a": "C", "P.SDM.RF.3.a": 49},
			failing: []string{"P.SDM"}, nodes: map[string]float64{"P.SDM": 7.48}},
		{name: "P.PW 11.25 = 75% of 15", mods: m{"P.PW.RF.2.a": 25, "P.PW.RF.3.a": 0, "P.PW.RF.3.b": 50}, want: true,
			nodes: map[string]float64{"P.PW": 11.25}},
		{name: "P.PW 11.24 < 75% of 15", mods: m{"P.PW.RF.2.a": 25, "P.PW.RF.3.a": 0, "P.PW.RF.3.b": 49},
			failing: []string{"P.PW"}, nodes: map[string]float64{"P.PW": 11.24}},

		// IPAK ≥ 15.75.
		{name: "IPAK 3.60 gives 15.75", mods: m{"H.BA.IPAK.a": 3.6}, want: true, nodes: map[string]float64{"H.BA.IPAK": 15.75}},
		{name: "IPAK 3.59 gives 15.71 < 15.75", mods: m{"H.BA.IPAK.a": 3.59}, failing: []string{"H.BA.IPAK"}},

		// H.BA ≥ 19.5 is exactly IPAK 15.75 + KIN 3.75.
		{name: "H.BA 19.50 = IPAK 15.75 + KIN B 3.75", mods: m{"H.BA.IPAK.a": 3.6, "H.BA.KIN.a": "B"}, want: true,
			nodes: map[string]float64{"H.BA": 19.5}},
		{name: "H.BA 19.46 (IPAK 3.59, KIN B) < 19.5", mods: m{"H.BA.IPAK.a": 3.59, "H.BA.KIN.a": "B"},
			failing: []string{"H.BA", "H.BA.IPAK"}, nodes: map[string]float64{"H.BA": 19.46}},

		// KIN ≥ 3.75.
		{name: "KIN B gives 3.75", mods: m{"H.BA.KIN.a": "B"}, want: true, nodes: map[string]float64{"H.BA.KIN": 3.75}},
		{name: "KIN C gives 2.50 < 3.75", mods: m{"H.BA.KIN.a": "C"}, failing: []string{"H.BA.KIN"},
			nodes: map[string]float64{"H.BA": 20}},

		// H.PP ≥ 15.75 (IPKP 3.60).
		{name: "IPKP 3.60 gives H.PP 15.75", mods: m{"H.PP.IPKP.a": 3.6}, want: true, nodes: map[string]float64{"H.PP": 15.75}},
		{name: "IPKP 3.59 gives H.PP 15.71 < 15.75", mods: m{"H.PP.IPKP.a": 3.59}, failing: []string{"H.PP"},
			nodes: map[string]float64{"H.PP": 15.71}},
	})
}

// Zeroing any one of the six pengungkit areas fails "each child of P" for that area, for both
// WBK (60%) and WBBM (75%).
func TestZIEachPengungkitArea(t *testing.T) {
	zi := sheet(t, "zi-2021")
	for code, points := range ziAreas {
		t.Run(code, func(t *testing.T) {
			as := best(t, zi, nil)
			worstUnder(zi, as, code)
			r := mustScore(t, zi, as, nil)
			checkNodes(t, r, map[string]float64{code: 0, "P": 60 - points})
			for _, key := range []string{"WBK", "WBBM"} {
				if r.Predicates[key] {
					t.Errorf("%s = true with %s at 0", key, code)
				}
				if got := failing(zi, r, nil, key); !slices.Contains(got, code) {
					t.Errorf("%s failing = %v, want it to name %s", key, got, code)
				}
			}
		})
	}
}

func TestExplainDetails(t *testing.T) {
	zi := sheet(t, "zi-2021")
	r := mustScore(t, zi, best(t, zi, m{"P.MP.RF.2.a": "E", "P.MP.RF.3.a": "D", "P.MP.RF.1.a": 0, "P.MP.RF.1.b": 79}), Previous{"WBK": false})
	got := Explain(zi, r, Previous{"WBK": false})
	want := []Failure{
		{Predicate: "WBBM", Node: "P.MP", Score: 4.79, Min: 6, Gap: 1.21},
		{Predicate: "WBBM", Previous: "WBK"},
		{Predicate: "WBK", Node: "P.MP", Score: 4.79, Min: 4.8, Gap: 0.01},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Explain() =\n %+v\nwant\n %+v", got, want)
	}
	if fs := Explain(zi, mustScore(t, zi, best(t, zi, nil), nil), nil); len(fs) != 0 {
		t.Errorf("Explain(all best) = %+v, want none", fs)
	}
}
