package server

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/scoring"
	"github.com/rapor-rb/raporrb/app/web"
)

// basisAnswers turns an assessment's answers (GET /api/v1/assessments/…) into scoring answers:
// the evaluator's for basis "final", the unit's own for "self".
func basisAnswers(t *testing.T, a map[string]any, basis string) scoring.Answers {
	t.Helper()
	key := map[string]string{"final": "review", "self": "self"}[basis]
	if key == "" {
		t.Fatalf("basis %q", basis)
	}
	out := scoring.Answers{}
	for _, x := range objects(t, a, "answers") {
		r, ok := x[key].(map[string]any)
		if !ok {
			continue
		}
		if o, _ := r["option"].(string); o != "" {
			out[x["indicator"].(string)] = scoring.Answer{Option: o}
		} else if v, ok := r["value"].(float64); ok {
			out[x["indicator"].(string)] = scoring.Answer{Number: &v}
		}
	}
	return out
}

// stepAnswer reads a path step's "from" or "to"; nil for null.
func stepAnswer(t *testing.T, x any) *scoring.Answer {
	t.Helper()
	m, ok := x.(map[string]any)
	if !ok {
		if x != nil {
			t.Errorf("step answer %v is not an object", x)
		}
		return nil
	}
	var a scoring.Answer
	a.Option, _ = m["option"].(string)
	if v, ok := m["number"].(float64); ok {
		a.Number = &v
	}
	return &a
}

func sameAnswer(a, b *scoring.Answer) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Option == b.Option && (a.Number == nil) == (b.Number == nil) && (a.Number == nil || *a.Number == *b.Number)
}

// checkPath compares one GET /api/v1/paths answer with the scoring engine: the steps and the
// survey minimums applied together pass the target (without an earlier-result condition the
// path reports as blocked), and no step can be left out. It returns how the path came out:
// "reached", "steps", "steps+survey", "survey" or "blocked".
func checkPath(t *testing.T, c *client, year int, inst *instrument.Instrument, unit, target string) string {
	t.Helper()
	a := c.mustGet(fmt.Sprintf("/api/v1/assessments/%d/%s/%s", year, inst.ID, unit))
	var prev scoring.Previous
	if st, p := c.do("GET", fmt.Sprintf("/api/v1/assessments/%d/%s/%s", year-1, inst.ID, unit), ""); st == 200 && p["status"] == "final" {
		prev = scoring.Previous{}
		for k, v := range p["final"].(map[string]any)["predicates"].(map[string]any) {
			prev[k] = v.(bool)
		}
	}
	wantBasis, snap := "self", a["self"].(map[string]any)
	if a["status"] == "final" {
		wantBasis, snap = "final", a["final"].(map[string]any)
	}
	answers := basisAnswers(t, a, wantBasis)
	now, err := scoring.Score(inst, answers, prev)
	if err != nil {
		t.Fatalf("%s %s: scoring the %s answers: %v", inst.ID, unit, wantBasis, err)
	}
	if total, _ := num(snap, "total"); total != now.Total {
		t.Errorf("%s %s: stored %s total %v, the answers score %v", inst.ID, unit, wantBasis, total, now.Total)
	}
	where := fmt.Sprintf("%s %s %s", inst.ID, unit, target)

	b := c.mustGet(fmt.Sprintf("/api/v1/paths/%d/%s/%s?target=%s", year, inst.ID, unit, target))
	if b["period"] != float64(year) || b["instrument"] != inst.ID || b["unit"] != unit || b["basis"] != wantBasis {
		t.Errorf("%s: header %v %v %v basis %v, want basis %s", where, b["period"], b["instrument"], b["unit"], b["basis"], wantBasis)
	}
	p := b["path"].(map[string]any)
	if p["target"] != target || p["kind"] != "predicate" {
		t.Errorf("%s: target %v kind %v", where, p["target"], p["kind"])
	}
	if before, _ := num(p, "before"); before != now.Total {
		t.Errorf("%s: before %v, current total %v", where, before, now.Total)
	}
	steps := objects(t, p, "steps")
	survey := objects(t, p, "survey")
	blocked, _ := p["blocked"].([]any)
	reached, reachable := p["reached"] == true, p["reachable"] == true
	if reached {
		if !now.Predicates[target] || len(steps) != 0 || len(survey) != 0 || !reachable {
			t.Errorf("%s: reached, but predicate now %v, %d steps, %d survey, reachable %v", where, now.Predicates[target], len(steps), len(survey), reachable)
		}
		return "reached"
	}
	if now.Predicates[target] || reachable != (len(survey) == 0 && len(blocked) == 0) {
		t.Errorf("%s: predicate now %v, reachable %v with survey %v and blocked %v", where, now.Predicates[target], reachable, survey, blocked)
	}
	// The plan: the steps and the survey minimums applied together.
	applied := scoring.Answers{}
	for k, v := range answers {
		applied[k] = v
	}
	for _, s := range steps {
		code := s["indicator"].(string)
		from, to := stepAnswer(t, s["from"]), stepAnswer(t, s["to"])
		gain, _ := num(s, "gain")
		var cur *scoring.Answer
		if x, ok := answers[code]; ok {
			cur = &x
		}
		if to == nil || gain <= 0 || sameAnswer(from, to) || !sameAnswer(from, cur) {
			t.Errorf("%s step %s: from %v to %v gain %v (current answer %v)", where, code, s["from"], s["to"], gain, cur)
			continue
		}
		if inst.ScaleOf(code).FromSurvey() {
			t.Errorf("%s step %s raises a survey result", where, code)
		}
		if leaf := inst.LeafOf(code); leaf == nil || leaf.Code != s["area"] {
			t.Errorf("%s step %s: area %v", where, code, s["area"])
		}
		applied[code] = *to
	}
	for _, n := range survey {
		code := n["indicator"].(string)
		min, _ := num(n, "min")
		if !inst.ScaleOf(code).FromSurvey() {
			t.Errorf("%s: survey minimum on %s, which the unit answers itself", where, code)
		}
		if cur, ok := answers[code]; ok && cur.Number != nil && *cur.Number >= min {
			t.Errorf("%s: survey %s minimum %v is not above the entered %v", where, code, min, *cur.Number)
		}
		applied[code] = scoring.Answer{Number: &min}
	}
	// A blocked requires_previous is the only block the demo has: judge the rest without it.
	judgePrev := prev
	if len(blocked) > 0 {
		judgePrev = nil
		for _, b := range blocked {
			if !strings.Contains(b.(string), "mensyaratkan predikat") {
				t.Errorf("%s: blocked %q; the demo's plans are only blocked by an earlier result", where, b)
			}
		}
	}
	res, err := scoring.Score(inst, applied, judgePrev)
	if err != nil {
		t.Errorf("%s: the steps are not valid answers: %v", where, err)
		return "invalid"
	}
	after, _ := num(p, "after")
	if !res.Predicates[target] || res.Total != after {
		t.Errorf("%s: after the %d steps and %d survey minimums predicate %v, total %v (path says %v)", where, len(steps), len(survey), res.Predicates[target], res.Total, after)
	}
	// Fewest: leaving any one step out fails.
	for i, s := range steps {
		code := s["indicator"].(string)
		without := scoring.Answers{}
		for k, v := range applied {
			without[k] = v
		}
		if orig, ok := answers[code]; ok {
			without[code] = orig
		} else {
			delete(without, code)
		}
		if r, _ := scoring.Score(inst, without, judgePrev); r.Predicates[target] {
			t.Errorf("%s: step %d (%s → %v) is not needed, the path is not the fewest", where, i, code, s["to"])
		}
	}
	switch {
	case len(blocked) > 0:
		return "blocked"
	case len(survey) > 0 && len(steps) > 0:
		return "steps+survey"
	case len(survey) > 0:
		return "survey"
	}
	return "steps"
}

// TestPathAPIReachesTarget: for every kecamatan and every predicate (ZI's WBK and WBBM, New
// Normal's TATAP_MUKA), the path is checked against the scoring engine: a reached target passes
// now; any other passes once its steps and survey minimums are applied (apart from a blocked
// earlier result), and not with any one step left out. The mixed plans are counted: how many
// kecamatan not yet at WBK get concrete steps (the issue counted 1 of 18 before).
func TestPathAPIReachesTarget(t *testing.T) {
	srv := newServer(t, web.Config{})
	c := login(t, srv, "bupati")
	for _, id := range []string{"zi-2021", "new-normal-2020"} {
		inst, _ := catalog.Get(id)
		if len(inst.Predicates) == 0 {
			t.Fatalf("%s has no predicates", id)
		}
		counts := map[string]int{}
		for _, r := range rankingRows(t, c, id) {
			for _, pr := range inst.Predicates {
				counts[pr.Key+" "+checkPath(t, c, dashYear, inst, r["unit"].(string), pr.Key)]++
			}
		}
		t.Logf("%s paths: %v", id, counts)
		if id == "zi-2021" {
			notWBK := len(rankingRows(t, c, id)) - counts["WBK reached"]
			concrete := counts["WBK steps"] + counts["WBK steps+survey"] + counts["WBK survey"]
			t.Logf("zi-2021: %d of %d kecamatan not yet at WBK get a concrete plan (%d with answer steps)", concrete, notWBK,
				counts["WBK steps"]+counts["WBK steps+survey"])
			if counts["WBK reached"] == 0 || counts["WBBM reached"] == 0 || counts["WBK steps+survey"] == 0 || concrete != notWBK {
				t.Errorf("ZI paths %v: the demo should have WBK and WBBM reached, mixed WBK plans, and a plan for every kecamatan not at WBK", counts)
			}
		}
	}
	// The showcase: Tanjungsari is WBBM in 2026, so both targets are reached on the final basis;
	// Sukamaju is a draft, planned from its own answers.
	for _, target := range []string{"WBK", "WBBM"} {
		b := c.mustGet(fmt.Sprintf("/api/v1/paths/%d/zi-2021/tanjungsari?target=%s", dashYear, target))
		if p := b["path"].(map[string]any); b["basis"] != "final" || p["reached"] != true || p["reachable"] != true {
			t.Errorf("tanjungsari %s: basis %v, path %v", target, b["basis"], p)
		}
	}
	b := c.mustGet(fmt.Sprintf("/api/v1/paths/%d/zi-2021/sukamaju?target=WBK", dashYear))
	if b["basis"] != "self" {
		t.Errorf("sukamaju (a draft) basis = %v, want self", b["basis"])
	}
}

// TestPathAPIErrors: bad targets, unknown objects and other units' paths.
func TestPathAPIErrors(t *testing.T) {
	srv := newServer(t, web.Config{})
	c := login(t, srv, "bupati")
	for _, tc := range []struct {
		path   string
		status int
		code   string
	}{
		{"/api/v1/paths/2026/zi-2021/sukamaju?target=EMAS", 400, "invalid"},
		{"/api/v1/paths/2026/zi-2021/sukamaju", 400, "invalid"},
		{"/api/v1/paths/2026/zi-2021/nope?target=WBK", 404, "not_found"},
		{"/api/v1/paths/2026/nope/sukamaju?target=WBK", 404, "not_found"},
		{"/api/v1/paths/2030/zi-2021/sukamaju?target=WBK", 404, "not_found"},
		{"/api/v1/paths/dua-ribu/zi-2021/sukamaju?target=WBK", 400, "invalid"},
	} {
		st, b := c.do("GET", tc.path, "")
		t.Run(tc.path, func(t *testing.T) { wantError(t, st, b, tc.status, tc.code) })
	}
	// A grade target: SAKIP has grades, no predicates.
	if b := c.mustGet("/api/v1/paths/2026/sakip-2021/sukamaju?target=next"); b["path"].(map[string]any)["kind"] != "grade" {
		t.Errorf("next grade path = %v", b["path"])
	}

	camat := login(t, srv, "camat.sukamaju")
	st, b := camat.do("GET", "/api/v1/paths/2026/zi-2021/tanjungsari?target=WBK", "")
	wantError(t, st, b, 403, "forbidden")
	st, b = camat.do("GET", "/api/v1/paths/2026/zi-2021/sukamaju?target=WBK", "")
	if st != 200 || b["unit"] != "sukamaju" || b["path"].(map[string]any)["target"] != "WBK" {
		t.Errorf("own path = %d %v", st, b)
	}
	ev := login(t, srv, "evaluator2") // the second half of the list; Sukamaju is inspektur's
	st, b = ev.do("GET", "/api/v1/paths/2026/zi-2021/sukamaju?target=WBK", "")
	wantError(t, st, b, 403, "forbidden")
}
