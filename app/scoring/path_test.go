package scoring

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/instrument"
)

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

// Two survey results not entered, either of which alone reaches the band: the plan leaves the
// first at 0 and asks for the second at the scale's minimum, instead of dropping both (which left
// no passing set: the dashboard's path answered 500). IKM with U1–U7 entered (ΣNRR 23,09, IKM
// 64,14, D) and U8, U9 empty; C needs IKM ≥ 65,00, i.e. ΣNRR ≥ 23,40: U9 at 1 (the minimum) gives
// 24,09, 66,92.
func TestPlanPathTwoUnenteredSurveys(t *testing.T) {
	ikm := sheet(t, "ikm-2017")
	as := Answers{"IKM.U1": number(3.15), "IKM.U2": number(3.28), "IKM.U3": number(3.3), "IKM.U4": number(3.45),
		"IKM.U5": number(3.35), "IKM.U6": number(3.31), "IKM.U7": number(3.25)}
	p, err := PlanPath(ikm, as, nil, TargetNext)
	if err != nil {
		t.Fatal(err)
	}
	want := SurveyNeed{Indicator: "IKM.U9", Area: "IKM", Min: 1, Max: 4}
	if p.Target != "C" || len(p.Steps) != 0 || len(p.Blocked) != 0 || len(p.Survey) != 1 || p.Survey[0] != want || p.After != 66.92 {
		t.Errorf("IKM next: %+v; want C with only %+v, after 66.92", p, want)
	}
	checkPath(t, ikm, as, p, targetPasses(ikm, "C"))
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
