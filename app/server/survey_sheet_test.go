package server

import (
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rapor-rb/raporrb/app/assessment"
)

// The survey's result is the IKM sheet's answers: each NRR on its indicator, marked as the
// survey's (read-only on the page with a link, refused to typed saves and evidence with 409),
// kept in history and the audit log, scored, so the sheet's total is the survey's IKM and the
// bupati's ranking moves. PEKPPP's F-03 follows while the sheet is under review; a final
// sheet stays as it is and the survey says its result has not reached it.
func TestSurveyResultFlowsIntoTheSheets(t *testing.T) {
	w := newSurveyWorld(t)
	unit := w.unitWithIKM(assessment.Draft)
	camat := w.api("camat." + unit)
	bupati := w.api("bupati")
	sheet := "/api/v1/assessments/2026/ikm-2017/" + unit

	selfScore := func() float64 {
		_, body := bupati.do("GET", "/api/v1/rankings?period=2026&instrument=ikm-2017", "")
		for _, r := range body["rows"].([]any) {
			if row := r.(map[string]any); row["unit"] == unit {
				return row["self"].(float64)
			}
		}
		t.Fatalf("%s not in the IKM ranking", unit)
		return 0
	}
	before := selfScore()

	id, token := w.create(camat, "ikm", unit, 120)
	for _, a := range []string{
		ikmAnswers("4", "3", "3", "4", "3", "4", "4", "3", "2"),
		ikmAnswers("3", "3", "2", "4", "3", "3", "4", "-", "3"),
		ikmAnswers("4", "4", "3", "3", "4", "4", "3", "3", "3"),
	} {
		if st, body := w.answer(token, a, time.Minute); st != 201 {
			t.Fatalf("answer: %d %v", st, body)
		}
		w.advance(time.Minute)
	}
	res := w.results(camat, id)
	// U1 = (4+3+4)/3, U8 = (3+3)/2 (a blank is left out, not counted as 0); IKM = 25 × (80/3 + 3)/9
	// = 2225/27 = 82,407…
	nrr := res["nrr"].(map[string]any)
	if nrr["U1"] != 3.67 || nrr["U8"] != 3.0 || res["ikm"] != 82.41 || res["band"] != "B" {
		t.Fatalf("results = %v", res)
	}

	st, body := camat.do("GET", sheet, "")
	if st != 200 {
		t.Fatalf("sheet: %d %v", st, body)
	}
	want := map[string]float64{"IKM.U1": 11.0 / 3, "IKM.U8": 3}
	for _, a := range body["answers"].([]any) {
		ans := a.(map[string]any)
		code := ans["indicator"].(string)
		if !strings.HasPrefix(code, "IKM.") {
			continue
		}
		self := ans["self"].(map[string]any)
		if self["survey"] != id || self["by"] != "survei" {
			t.Errorf("%s: self = %v, want the survey's", code, self)
		}
		if x, ok := want[code]; ok && math.Abs(self["value"].(float64)-x) > 1e-12 {
			t.Errorf("%s = %v, want %v", code, self["value"], x)
		}
	}
	self := body["self"].(map[string]any)
	if self["total"] != res["ikm"] || self["grade"] != "B" {
		t.Errorf("sheet total %v (%v), survey IKM %v", self["total"], self["grade"], res["ikm"])
	}
	if p := body["progress"].(map[string]any); p["answered"] != 9.0 || p["evidenced"] != 9.0 {
		t.Errorf("progress = %v: the survey answers and is the evidence of all nine", p)
	}
	if after := selfScore(); after == before || after != res["ikm"] {
		t.Errorf("ranking self score %v → %v, want the survey's IKM %v", before, after, res["ikm"])
	}

	// Read-only: a typed save and evidence are refused with the reason; the page shows it.
	st, body = camat.do("PUT", sheet+"/answers/IKM.U1", `{"answer":4,"note":"","rev":1}`)
	wantError(t, st, body, 409, "conflict")
	if msg, _ := body["error"].(string); !strings.Contains(msg, "survei") {
		t.Errorf("refusal = %q", msg)
	}
	st, body = camat.do("POST", sheet+"/answers/IKM.U2/evidence", `{"url":"https://contoh.go.id/rekap.pdf"}`)
	wantError(t, st, body, 409, "conflict")
	page := w.page(camat, "/penilaian/2026/ikm-2017/"+unit)
	row := regexp.MustCompile(`(?s)<article class="indicator[^"]*" id="ind-IKM\.U1".*?</article>`).FindString(page)
	if !strings.Contains(row, `data-survey="`+id+`"`) || !strings.Contains(row, `href="/kelola-survei/`+id+`"`) ||
		strings.Contains(row, "answer-form") || !strings.Contains(row, "3,67") {
		t.Errorf("IKM.U1 on the sheet page is not the survey's read-only answer:\n%s", row)
	}
	// History and audit.
	st, body = camat.do("GET", sheet+"/answers/IKM.U1/history", "")
	vs, _ := body["versions"].([]any)
	if st != 200 || len(vs) == 0 || vs[0].(map[string]any)["by"] != "survei" {
		t.Errorf("history = %d %v", st, body)
	}
	if got := w.auditOf(audit4(t, w), "survey.apply"); strings.Count(got, "\n") < 2 || !strings.Contains(got, id) {
		t.Errorf("audit of the survey's writes:\n%s", got)
	}

	// PEKPPP's F-03 while the sheet is under review.
	review := pekpppUnit(t, w, assessment.InReview)
	camatR := w.api("camat." + review)
	idF, tokF := w.create(camatR, "pekppp-f03", review, 500)
	f03 := `{"P1":4,"P2":5,"P3":3,"P4":4,"P5":4,"P6":5,"P7":4,"P8":2,"P9":3,"P10":3,"P11":null,"P12":4,"P13":4,"P14":3}`
	if st, body := w.answer(tokF, f03, 2*time.Minute); st != 201 {
		t.Fatalf("F-03 answer: %d %v", st, body)
	}
	resF := w.results(camatR, idF)
	_, body = camatR.do("GET", "/api/v1/assessments/2026/pekppp-2022/"+review, "")
	var f03v any
	for _, a := range body["answers"].([]any) {
		if ans := a.(map[string]any); ans["indicator"] == "F03.a" {
			f03v = ans["self"].(map[string]any)["value"]
		}
	}
	// (4+5+3+4+4+5+4+2+3+3+4+4+3)/13 = 48/13.
	if resF["f03"] != 3.69 || f03v == nil || math.Abs(f03v.(float64)-48.0/13) > 1e-12 || body["status"] != "direviu" {
		t.Errorf("F-03: results %v, sheet F03.a %v, status %v", resF["f03"], f03v, body["status"])
	}

	// A final sheet is not changed; the survey says why.
	final := w.unitWithIKM(assessment.Final)
	idX, tokX := w.create(w.api("admin"), "ikm", final, 100)
	_, before2 := bupati.do("GET", "/api/v1/assessments/2026/ikm-2017/"+final, "")
	if st, body := w.answer(tokX, ikmAnswers("1", "1", "2", "1", "1", "2", "1", "1", "1"), time.Minute); st != 201 {
		t.Fatalf("answer: %d %v", st, body)
	}
	_, after2 := bupati.do("GET", "/api/v1/assessments/2026/ikm-2017/"+final, "")
	if before2["sheet_rev"] != after2["sheet_rev"] || after2["status"] != "final" {
		t.Errorf("a final sheet changed: rev %v → %v", before2["sheet_rev"], after2["sheet_rev"])
	}
	_, sv := w.api("admin").do("GET", "/api/v1/surveys/"+idX, "")
	if p, _ := sv["applied"].(map[string]any)["pending"].(string); !strings.Contains(p, "final") {
		t.Errorf("survey on a final sheet: applied = %v", sv["applied"])
	}
}

// pekpppUnit returns a kecamatan whose 2026 PEKPPP assessment has status st.
func pekpppUnit(t *testing.T, w *surveyWorld, st assessment.Status) string {
	t.Helper()
	for _, a := range w.res.Accounts {
		if a.Unit == "" {
			continue
		}
		if x, err := w.st.Assessments.ByID(t.Context(), assessment.ID(2026, "pekppp-2022", a.Unit)); err == nil && x.Status == st {
			return a.Unit
		}
	}
	t.Fatalf("no kecamatan with PEKPPP 2026 %s", st)
	return ""
}
