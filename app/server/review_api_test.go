package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/audit"
	"github.com/rapor-rb/raporrb/app/dbtest"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/scoring"
)

// submittedZI returns the path of a current-year ZI sheet that is submitted and not yet opened,
// in the units inspektur leads.
func submittedZI(t *testing.T, ev *client) (path string, unit string) {
	t.Helper()
	st, b := ev.do("GET", fmt.Sprintf("/api/v1/assessments?period=%d&instrument=zi-2021", demoNow.Year()), "")
	if st != 200 {
		t.Fatalf("list = %d %v", st, b)
	}
	for _, x := range b["assessments"].([]any) {
		a := x.(map[string]any)
		if a["status"] == "diajukan" {
			u := a["unit"].(string)
			return fmt.Sprintf("/api/v1/assessments/%d/zi-2021/%s", demoNow.Year(), u), u
		}
	}
	t.Fatal("no submitted ZI sheet among inspektur's units")
	return "", ""
}

// answersOf returns the sheet's answers by indicator.
func answersOf(t *testing.T, c *client, path string) map[string]map[string]any {
	t.Helper()
	st, b := c.do("GET", path, "")
	if st != 200 {
		t.Fatalf("GET %s = %d %v", path, st, b)
	}
	out := map[string]map[string]any{}
	for _, x := range b["answers"].([]any) {
		a := x.(map[string]any)
		out[a["indicator"].(string)] = a
	}
	return out
}

// The review API end to end, with every refusal the issue lists: 400 naming the field and
// changing nothing, 409 for what the status does not allow, 403 for who may not. The final
// snapshot equals `raporrb score` on the evaluators' answers, and the LKE export carries the LHE.
func TestReviewAPI(t *testing.T) {
	st, res, srv := freshDemo(t)
	lead := login(t, srv, "inspektur")
	member := login(t, srv, "evaluator3")
	other := login(t, srv, "evaluator2")
	path, unit := submittedZI(t, lead)
	var camatName string
	for _, a := range res.Accounts {
		if a.Unit == unit && a.Role == "camat" {
			camatName = a.Username
		}
	}
	camat := login(t, srv, camatName)
	zi, _ := catalog.Get("zi-2021")
	codes := zi.Indicators()
	c1, c2 := codes[0].Code, codes[3].Code
	before := answersOf(t, lead, path)

	// Bad input: 400 naming the field; nothing changes.
	for _, tc := range []struct{ path, body, field string }{
		{"/reviews/X.Y.Z", `{"answer": "Ya", "verdict": "sesuai", "rev": 0}`, "indicator"},
		{"/reviews/" + c1, `{"answer": "Ya", "verdict": "mungkin", "rev": 0}`, "verdict"},
		{"/reviews/" + c1, `{"answer": "Barangkali", "verdict": "sesuai", "rev": 0}`, "answer"},
		{"/reviews/" + c1, fmt.Sprintf(`{"answer": "Ya", "verdict": "sesuai", "comment": %q, "rev": 0}`, strings.Repeat("x", 2001)), "comment"},
		{"/reviews/" + c1, `{"verdict": "dikembalikan", "rev": 0}`, "comment"},
		{"/reviews/" + c1, `{"verdict": "sesuai", "rev": 0}`, "answer"},
		{"/reviews/" + c1, `{"answer": "Ya", "verdict": "sesuai"}`, "rev"},
		{"/findings/P.XX", `{"kondisi": "a", "rekomendasi": "b", "rev": 0}`, "area"},
	} {
		s, b := lead.do("PUT", path+tc.path, tc.body)
		wantError(t, s, b, 400, "invalid")
		// The field for API clients; the message for people, in Bahasa Indonesia.
		if b["field"] != tc.field || strings.Contains(b["error"].(string), "Kolom") {
			t.Errorf("PUT %s %s: field %v (want %s), message %q", tc.path, tc.body, b["field"], tc.field, b["error"])
		}
	}
	// A return with no item marked is refused (after the review started).
	if s, b := lead.do("POST", path+"/return", ""); s != 409 {
		t.Errorf("return before the review started = %d %v", s, b)
	}
	if after := answersOf(t, lead, path); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Error("refused requests changed the sheet")
	}

	// Who: an unassigned evaluator, the camat, the bupati, the admin: 403; a member returning or
	// finalizing: 403.
	review := func(c *client, code, body string) (int, map[string]any) {
		return c.do("PUT", path+"/reviews/"+code, body)
	}
	ok := fmt.Sprintf(`{"answer": %s, "verdict": "sesuai", "rev": 0}`, best(zi, c1))
	if zi.ScaleOf(c1).Kind != instrument.KindChoice {
		t.Fatalf("%s is not a choice indicator", c1)
	}
	for name, c := range map[string]*client{"evaluator2": other, "camat": camat, "bupati": login(t, srv, "bupati"), "admin": login(t, srv, "admin")} {
		s, b := review(c, c1, ok)
		if s != 403 {
			t.Errorf("%s reviewing = %d %v, want 403", name, s, b)
		}
	}
	mark := func(c *client, code, comment string) {
		t.Helper()
		rev := answersOf(t, c, path)[code]["review_rev"].(float64)
		s, b := review(c, code, fmt.Sprintf(`{"verdict": "dikembalikan", "comment": %q, "rev": %d}`, comment, int(rev)))
		if s != 200 || b["status"] != "direviu" {
			t.Fatalf("marking %s = %d %v", code, s, b)
		}
	}
	mark(member, c1, "SK tim kerja belum ditandatangani camat.")
	mark(member, c2, "Foto kegiatan tidak menunjukkan tanggal.")
	for _, act := range []string{"/return", "/finalize"} {
		if s, b := member.do("POST", path+act, ""); s != 403 {
			t.Errorf("member POST %s = %d %v, want 403", act, s, b)
		}
	}
	// A stale rev: 409 with the current answer.
	s, b := review(lead, c1, ok)
	wantError(t, s, b, 409, "conflict")
	if cur, _ := b["current"].(map[string]any); cur == nil || cur["review"] == nil {
		t.Errorf("409 without the current answer: %v", b)
	}
	if s, b := lead.do("POST", path+"/return", ""); s != 200 || b["status"] != "perlu_perbaikan" || len(b["returned"].([]any)) != 2 {
		t.Fatalf("return = %d %v", s, b)
	}
	// Status: reviewing while the sheet is with the kecamatan, finalizing it, returning it again.
	s, b = review(lead, c1, ok)
	wantError(t, s, b, 409, "conflict")
	for _, act := range []string{"/finalize", "/return"} {
		s, b := lead.do("POST", path+act, "")
		wantError(t, s, b, 409, "conflict")
	}

	// The camat fixes one item; the other left untouched needs a confirmation to resubmit.
	if s, b := camat.do("PUT", path+"/answers/"+codes[10].Code, fmt.Sprintf(`{"answer": %s, "rev": 1}`, best(zi, codes[10].Code))); s != 409 {
		t.Errorf("editing an item not returned = %d %v", s, b)
	}
	rev := answersOf(t, camat, path)[c1]["rev"].(float64)
	if s, b := camat.do("PUT", path+"/answers/"+c1, fmt.Sprintf(`{"answer": %s, "note": "SK terlampir", "rev": %d}`, best(zi, c1), int(rev))); s != 200 {
		t.Fatalf("fixing %s = %d %v", c1, s, b)
	}
	s, b = camat.do("POST", path+"/submit", "")
	wantError(t, s, b, 400, "invalid")
	if msg := b["error"].(string); !strings.Contains(msg, c2) || !strings.Contains(msg, "confirm") {
		t.Errorf("resubmit without confirmation: %q", msg)
	}
	if s, b := camat.do("POST", path+"/submit", `{"confirm": true}`); s != 200 || b["status"] != "diajukan" {
		t.Fatalf("resubmit = %d %v", s, b)
	}

	// The lead re-reviews the returned items, approves the rest, writes the findings the low
	// areas need, and finalizes.
	for _, code := range []string{c1, c2} {
		rev := answersOf(t, lead, path)[code]["review_rev"].(float64)
		if s, b := review(lead, code, fmt.Sprintf(`{"answer": %s, "verdict": "sesuai", "comment": "diterima", "rev": %d}`, best(zi, code), int(rev))); s != 200 {
			t.Fatalf("re-review %s = %d %v", code, s, b)
		}
	}
	s, b = lead.do("POST", path+"/reviews/approve-pending", "")
	if s != 200 || b["approved"].(float64) == 0 {
		t.Fatalf("approve pending = %d %v", s, b)
	}
	need := b["review"].(map[string]any)["need_findings"].([]any)
	if len(need) > 0 { // finalizing first names the first area without findings
		s, b := lead.do("POST", path+"/finalize", "")
		wantError(t, s, b, 400, "invalid")
		if b["field"] != "findings."+need[0].(string) {
			t.Errorf("finalize without findings: field %v, want findings.%s (%q)", b["field"], need[0], b["error"])
		}
	}
	for _, area := range need {
		if s, b := lead.do("PUT", path+"/findings/"+area.(string), `{"kondisi": "Bukti belum lengkap.", "rekomendasi": "Lengkapi bukti dan tetapkan penanggung jawab.", "rev": 0}`); s != 200 {
			t.Fatalf("finding %s = %d %v", area, s, b)
		}
	}
	s, b = lead.do("POST", path+"/finalize", "")
	if s != 200 || b["status"] != "final" || b["finalized_by"] != "inspektur" {
		t.Fatalf("finalize = %d %v", s, b)
	}
	final := b["final"].(map[string]any)

	// The final snapshot equals `raporrb score` on the evaluators' answers.
	answers := map[string]any{}
	for code, a := range answersOf(t, lead, path) {
		r := a["review"].(map[string]any)
		if o, ok := r["option"]; ok {
			answers[code] = o
		} else {
			answers[code] = r["value"]
		}
	}
	prevArgs := []string{}
	prev, err := st.Assessments.Previous(context.Background(), &assessment.Assessment{Period: demoNow.Year(), Instrument: "zi-2021", Unit: unit})
	if err != nil {
		t.Fatal(err)
	}
	if prev != nil && prev["WBK"] {
		prevArgs = []string{"-previous", "WBK"}
	}
	cli := scoreCLI(t, "zi-2021", prevArgs, answers)
	if cli["total"] != final["total"] || fmt.Sprint(cli["predicates"]) != fmt.Sprint(final["predicates"]) || fmt.Sprint(cli["nodes"]) != fmt.Sprint(final["nodes"]) {
		t.Errorf("final snapshot %v, raporrb score %v", final, cli)
	}
	// Cross-check with the engine directly.
	sa := scoring.Answers{}
	for code, v := range answers {
		if s, ok := v.(string); ok {
			sa[code] = scoring.Answer{Option: s}
		} else {
			f := v.(float64)
			sa[code] = scoring.Answer{Number: &f}
		}
	}
	if r, err := scoring.Score(zi, sa, prev); err != nil || r.Total != final["total"] {
		t.Errorf("scoring.Score = %v %v, final %v", r.Total, err, final["total"])
	}

	// Final locks; only an admin reopens, with a reason.
	s, b = review(lead, c1, ok)
	wantError(t, s, b, 409, "conflict")
	admin := login(t, srv, "admin")
	s, b = admin.do("POST", path+"/reopen", `{"reason": ""}`)
	wantError(t, s, b, 400, "invalid")
	s, b = lead.do("POST", path+"/reopen", `{"reason": "x"}`)
	wantError(t, s, b, 403, "forbidden")

	// The LKE export of the final sheet carries the LHE.
	name := fmt.Sprintf("lke-zi-2021-%s-%d.xlsx", unit, demoNow.Year())
	resp, body := admin.fetch("GET", fmt.Sprintf("/ekspor/%d/zi-2021/%s/lke.xlsx", demoNow.Year(), unit))
	lhe := openXLSX(t, resp, body, name)
	rows, err := lhe.GetRows("LHE")
	if err != nil {
		t.Fatalf("LHE sheet: %v", err)
	}
	text := fmt.Sprint(rows)
	if len(need) > 0 && !strings.Contains(text, "Lengkapi bukti dan tetapkan penanggung jawab.") || !strings.Contains(text, "ketua tim") {
		t.Errorf("LHE sheet = %v", rows)
	}

	if s, b := admin.do("POST", path+"/reopen", `{"reason": "Keberatan kecamatan atas nilai diterima."}`); s != 200 || b["status"] != "direviu" {
		t.Errorf("reopen = %d %v", s, b)
	}
	// Every step is in the audit log (admin only).
	s, b = admin.do("GET", "/api/v1/audit?day="+demoNow.In(wibZone).Format("2006-01-02")+"&unit="+unit, "")
	if s != 200 {
		t.Fatalf("audit = %d %v", s, b)
	}
	seen := map[string]bool{}
	for _, x := range b["events"].([]any) {
		seen[x.(map[string]any)["action"].(string)] = true
	}
	for _, act := range []audit.Action{audit.ReviewStart, audit.ReviewSave, audit.Return, audit.AnswerSave, audit.Submit,
		audit.ReviewApproveAll, audit.Finalize, audit.Reopen} {
		if !seen[string(act)] {
			t.Errorf("audit lacks %s: %v", act, seen)
		}
	}
	if len(need) > 0 && !seen[string(audit.FindingsSave)] {
		t.Errorf("audit lacks findings")
	}
	s, b = lead.do("GET", "/api/v1/audit", "")
	wantError(t, s, b, 403, "forbidden")
	s, b = admin.do("GET", "/api/v1/audit?day=kemarin", "")
	wantError(t, s, b, 400, "invalid")
}

// scoreCLI runs `raporrb score` (the binary make test builds, or go run) on answers.
func scoreCLI(t *testing.T, inst string, extra []string, answers map[string]any) map[string]any {
	t.Helper()
	in, _ := json.Marshal(map[string]any{"answers": answers})
	args := append([]string{"score", "-instrument", inst}, extra...)
	var cmd *exec.Cmd
	if bin := os.Getenv(dbtest.EngineEnv); bin != "" {
		cmd = exec.Command(bin, append(args, "-")...)
	} else {
		cmd = exec.Command("go", append([]string{"run", "../../cmd/raporrb"}, append(args, "-")...)...)
	}
	cmd.Stdin = bytes.NewReader(in)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("raporrb score: %v", err)
	}
	var res map[string]any
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("raporrb score output %q: %v", out, err)
	}
	return res
}

// best is the best answer of an indicator's scale, as JSON.
func best(inst *instrument.Instrument, code string) string {
	s := inst.ScaleOf(code)
	switch s.Kind {
	case instrument.KindChoice:
		top := s.Options[0]
		for _, o := range s.Options {
			if o.Value > top.Value {
				top = o
			}
		}
		return fmt.Sprintf("%q", top.Key)
	case instrument.KindPercent:
		return "100"
	}
	return fmt.Sprint(*s.Max)
}

// Assignments: the admin changes who reviews what; each change is checked (an evaluator
// account, known kecamatan, one lead per kecamatan), audited, and takes effect at once.
func TestAssignmentsAPI(t *testing.T) {
	_, res, srv := freshDemo(t)
	admin := login(t, srv, "admin")
	ev2 := login(t, srv, "evaluator2")
	year := demoNow.Year()
	unit := res.Accounts[3].Unit // sukamaju, in inspektur's team
	sheet := fmt.Sprintf("/api/v1/assessments/%d/zi-2021/%s", year, unit)
	if s, b := ev2.do("GET", sheet, ""); s != 403 {
		t.Fatalf("evaluator2 before the assignment = %d %v", s, b)
	}
	put := fmt.Sprintf("/api/v1/assignments/%d/zi-2021/evaluator2", year)
	s, b := admin.do("GET", fmt.Sprintf("/api/v1/assignments?period=%d&instrument=zi-2021", year), "")
	if s != 200 {
		t.Fatalf("list = %d %v", s, b)
	}
	var mine []any
	for _, x := range b["assignments"].([]any) {
		if a := x.(map[string]any); a["evaluator"] == "evaluator2" {
			mine = a["units"].([]any)
		}
	}
	units := []string{unit}
	for _, u := range mine {
		units = append(units, u.(string))
	}
	body := func(lead bool, us ...string) string {
		j, _ := json.Marshal(map[string]any{"units": us, "lead": lead})
		return string(j)
	}
	for _, tc := range []struct {
		path, body string
		status     int
		code       string
	}{
		{fmt.Sprintf("/api/v1/assignments/%d/zi-2021/bupati", year), body(false, unit), 400, "invalid"},
		{put, body(false, "tidak-ada"), 400, "invalid"},
		{put, `{"lead": true}`, 400, "invalid"},
		{fmt.Sprintf("/api/v1/assignments/%d/tidak-ada/evaluator2", year), body(false, unit), 400, "invalid"},
		{"/api/v1/assignments/1999/zi-2021/evaluator2", body(false, unit), 400, "invalid"},
		{put, body(true, units...), 409, "conflict"}, // sukamaju already has inspektur as lead
	} {
		s, b := admin.do("PUT", tc.path, tc.body)
		wantError(t, s, b, tc.status, tc.code)
	}
	for name, c := range map[string]*client{"camat": login(t, srv, res.Accounts[3].Username), "evaluator2": ev2, "bupati": login(t, srv, "bupati")} {
		if s, b := c.do("PUT", put, body(false, units...)); s != 403 {
			t.Errorf("%s assigning = %d %v", name, s, b)
		}
	}
	if s, b := admin.do("PUT", put, body(false, units...)); s != 200 || len(b["assignment"].(map[string]any)["units"].([]any)) != len(units) {
		t.Fatalf("assign = %d %v", s, b)
	}
	// At once: evaluator2 reads sukamaju's sheet, as a member (no return or finalize).
	if s, b := ev2.do("GET", sheet, ""); s != 200 {
		t.Errorf("evaluator2 after the assignment = %d %v", s, b)
	}
	if s, b := ev2.do("POST", sheet+"/finalize", ""); s != 403 {
		t.Errorf("member finalizing = %d %v", s, b)
	}
	s, b = admin.do("GET", "/api/v1/audit?day="+demoNow.In(wibZone).Format("2006-01-02"), "")
	if s != 200 || !strings.Contains(fmt.Sprint(b["events"]), "assignment.put") {
		t.Errorf("assignment not audited: %v", b)
	}
}
