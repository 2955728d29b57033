package server

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rapor-rb/raporrb/app/assessment"
)

const period2027 = `{"instruments":[
 {"instrument":"zi-2021","opens":"2027-01-15","self_deadline":"2027-09-30","review_deadline":"2027-11-30"},
 {"instrument":"sakip-2021","opens":"2027-02-01","self_deadline":"2027-10-31","review_deadline":"2027-12-15"}]}`

// Opening a year creates the assessments of every active kecamatan, once: opening it again
// creates no duplicate.
func TestAdminOpensAPeriodIdempotently(t *testing.T) {
	w := newWorld(t)
	admin := w.api("admin")
	st, b := admin.do("PUT", "/api/v1/periods/2027", period2027)
	if st != 200 || b["created"] != 4.0 || b["existing"] != 0.0 {
		t.Fatalf("open = %d %v, want 4 created (2 active kecamatan × 2 instruments)", st, b)
	}
	st, b = admin.do("PUT", "/api/v1/periods/2027", period2027)
	if st != 200 || b["created"] != 0.0 || b["existing"] != 4.0 {
		t.Fatalf("open again = %d %v, want nothing created", st, b)
	}
	as, err := w.st.Assessments.List(context.Background(), assessment.Filter{Period: 2027})
	if err != nil || len(as) != 4 {
		t.Fatalf("assessments = %d, %v", len(as), err)
	}
	for _, a := range as {
		if a.Status != assessment.Draft || a.Unit == "gamma" || a.ID != assessment.ID(2027, a.Instrument, a.Unit) || a.Progress.Answered != 0 {
			t.Errorf("assessment %+v", a)
		}
	}
	// Before the opening day, the sheet is not open yet.
	if st, b := w.api("camat.alpha").do("PUT", "/api/v1/assessments/2027/zi-2021/alpha/answers/P.MP.PM.1.a", `{"answer":"Ya","note":"","rev":0}`); st != 403 || !strings.Contains(b["error"].(string), "baru dibuka 15 Januari 2027") {
		t.Errorf("save before the opening day = %d %v", st, b)
	}
	// A kecamatan added later gets its assessments when the year is saved again.
	if st, _ := admin.do("POST", "/api/v1/units", `{"code":"delta","name":"Delta","kind":"kecamatan","parent":"kab-uji"}`); st != 201 {
		t.Fatal("unit")
	}
	if _, b = admin.do("PUT", "/api/v1/periods/2027", period2027); b["created"] != 2.0 || b["existing"] != 4.0 {
		t.Errorf("after adding delta = %v", b)
	}
	st, b = admin.do("GET", "/api/v1/periods/2027", "")
	if st != 200 || b["instruments"].([]any)[1].(map[string]any)["self_deadline"] != "2027-10-31" {
		t.Errorf("GET period = %d %v", st, b)
	}
	// The ranking shows the new year's kecamatan.
	if st, b := admin.do("GET", "/api/v1/rankings?period=2027&instrument=zi-2021", ""); st != 200 || len(b["rows"].([]any)) != 3 {
		t.Errorf("ranking = %d %v", st, b)
	}
	// An instrument with assessments cannot be dropped from its year.
	st, b = admin.do("PUT", "/api/v1/periods/2027", `{"instruments":[{"instrument":"zi-2021","opens":"2027-01-15","self_deadline":"2027-09-30","review_deadline":"2027-11-30"}]}`)
	if st != 400 || b["field"] != "instruments" || !strings.Contains(b["error"].(string), "(SAKIP) tidak dapat dilepas") {
		t.Errorf("dropping sakip = %d %v", st, b)
	}
	if got := w.audit("period.put"); len(got) != 3 || !strings.Contains(got[0], "sakip-2021 buka 2027-02-01, batas 2027-10-31, reviu 2027-12-15") {
		t.Errorf("audit = %v", got)
	}
}

func TestAdminPeriodRefusesBadCalendars(t *testing.T) {
	w := newWorld(t)
	admin := w.api("admin")
	for _, tc := range []struct{ body, field string }{
		{`{"instruments":[{"instrument":"zi-2021","opens":"2027-03-01","self_deadline":"2027-02-28","review_deadline":"2027-11-30"}]}`, "instruments[0].self_deadline"},
		{`{"instruments":[{"instrument":"zi-2021","opens":"2027-01-15","self_deadline":"2027-09-30","review_deadline":"2027-09-29"}]}`, "instruments[0].review_deadline"},
		{`{"instruments":[{"instrument":"zi-2099","opens":"2027-01-15","self_deadline":"2027-09-30","review_deadline":"2027-11-30"}]}`, "instruments[0].instrument"},
		{`{"instruments":[{"instrument":"zi-2021","opens":"15-01-2027","self_deadline":"2027-09-30","review_deadline":"2027-11-30"}]}`, "instruments[0].opens"},
		{`{}`, "instruments"},
	} {
		if st, b := admin.do("PUT", "/api/v1/periods/2027", tc.body); st != 400 || b["field"] != tc.field || strings.Contains(b["error"].(string), "Kolom") {
			t.Errorf("%s = %d %v, want 400 with field %s", tc.body, st, b, tc.field)
		}
	}
	if st, b := admin.do("PUT", "/api/v1/periods/1999", period2027); st != 400 {
		t.Errorf("year 1999 = %d %v", st, b)
	}
	if n, _ := w.st.Assessments.Count(context.Background()); n != 0 {
		t.Errorf("a refused calendar created %d assessments", n)
	}
	if st, _ := w.api("camat.alpha").do("PUT", "/api/v1/periods/2027", period2027); st != 403 {
		t.Errorf("camat = %d", st)
	}
}

// An extension for one kecamatan reopens its sheet past the deadline, is audited, and is shown
// to the kecamatan with its reason; the other kecamatan stays closed.
func TestAdminExtendsOneKecamatan(t *testing.T) {
	w := newWorld(t)
	admin := w.api("admin")
	if st, b := admin.do("PUT", "/api/v1/periods/2027", period2027); st != 200 {
		t.Fatalf("open = %d %v", st, b)
	}
	w.clock.Set(time.Date(2027, 10, 1, 0, 0, 0, 0, wita)) // the first second after 30 September
	// Sessions last 12 hours on the server's clock: sign in again after moving it.
	admin, alpha, beta := w.api("admin"), w.api("camat.alpha"), w.api("camat.beta")
	save := `{"answer":"Ya","note":"","rev":0}`
	if st, b := alpha.do("PUT", "/api/v1/assessments/2027/zi-2021/alpha/answers/P.MP.PM.1.a", save); st != 403 || !strings.Contains(b["error"].(string), "s.d. 30 September 2027 pukul 23.59 WITA") {
		t.Fatalf("past the deadline = %d %v", st, b)
	}
	for _, tc := range []struct{ body, field string }{
		{`{"until":"2027-09-30","reason":"banjir"}`, "until"},
		{`{"until":"2027-10-15","reason":" "}`, "reason"},
		{`{"until":"15-10-2027","reason":"banjir"}`, "until"},
		{`{"reason":"banjir"}`, "until"},
	} {
		if st, b := admin.do("PUT", "/api/v1/assessments/2027/zi-2021/alpha/extension", tc.body); st != 400 || b["field"] != tc.field || strings.Contains(b["error"].(string), "Kolom") {
			t.Errorf("%s = %d %v, want 400 with field %s", tc.body, st, b, tc.field)
		}
	}
	st, b := admin.do("PUT", "/api/v1/assessments/2027/zi-2021/alpha/extension", `{"until":"2027-10-15","reason":"Kantor kecamatan terendam banjir"}`)
	if st != 200 || b["deadline"].(map[string]any)["text"] != "s.d. 15 Oktober 2027 pukul 23.59 WITA" {
		t.Fatalf("extension = %d %v", st, b)
	}
	if st, b := alpha.do("PUT", "/api/v1/assessments/2027/zi-2021/alpha/answers/P.MP.PM.1.a", save); st != 200 {
		t.Errorf("alpha with its extension = %d %v", st, b)
	}
	if st, _ := beta.do("PUT", "/api/v1/assessments/2027/zi-2021/beta/answers/P.MP.PM.1.a", save); st != 403 {
		t.Errorf("beta without an extension = %d", st)
	}
	if st, _ := admin.do("PUT", "/api/v1/assessments/2027/zi-2021/tidak-ada/extension", `{"until":"2027-10-15","reason":"x"}`); st != 404 {
		t.Errorf("unknown assessment = %d", st)
	}
	if st, _ := alpha.do("PUT", "/api/v1/assessments/2027/zi-2021/alpha/extension", `{"until":"2027-12-15","reason":"sendiri"}`); st != 403 {
		t.Errorf("camat extending itself = %d", st)
	}
	if got := w.audit("extension"); len(got) != 1 || !strings.HasPrefix(got[0], "admin 2027/zi-2021/alpha alpha: s.d. 15 Oktober 2027: Kantor kecamatan terendam banjir") {
		t.Errorf("audit = %v", got)
	}
	// The admin's list of extensions says the deadline as every page does, with the hour and zone.
	ap := &page{t: t, srv: w.srv, cookies: map[string]*http.Cookie{}}
	ap.login("admin")
	if _, body := ap.do("GET", "/admin/periode/2027", nil); !strings.Contains(body, "s.d. 15 Oktober 2027 pukul 23.59 WITA") {
		t.Errorf("the period page's extensions do not say the deadline with its hour and zone")
	}
	// The kecamatan reads the extension and its reason on its home page and its sheet.
	p := &page{t: t, srv: w.srv, cookies: map[string]*http.Cookie{}}
	p.login("camat.alpha")
	for _, path := range []string{"/?tahun=2027", "/penilaian/2027/zi-2021/alpha"} {
		_, body := p.do("GET", path, nil)
		if !strings.Contains(body, "Batas perpanjangan") || !strings.Contains(body, "s.d. 15 Oktober 2027 pukul 23.59 WITA") || !strings.Contains(body, "Kantor kecamatan terendam banjir") {
			t.Errorf("%s does not show the extension", path)
		}
	}
	// The last second of the extended day is allowed, the next refused.
	w.clock.Set(time.Date(2027, 10, 15, 23, 59, 59, 0, wita))
	alpha = w.api("camat.alpha")
	if st, b := alpha.do("PUT", "/api/v1/assessments/2027/zi-2021/alpha/answers/P.MP.PM.1.a", `{"answer":"Tidak","note":"","rev":1}`); st != 200 {
		t.Errorf("23:59:59 of the extended day = %d %v", st, b)
	}
	w.clock.Set(time.Date(2027, 10, 16, 0, 0, 0, 0, wita))
	if st, _ := alpha.do("PUT", "/api/v1/assessments/2027/zi-2021/alpha/answers/P.MP.PM.1.a", `{"answer":"Ya","note":"","rev":2}`); st != 403 {
		t.Errorf("00:00:00 after the extended day = %d", st)
	}
}

// A year the admin opens ahead does not take over the home pages before its opening day: the
// kecamatan and the evaluators keep seeing the year still being answered and reviewed (its
// deadlines, what waits), until the new year opens; ?tahun= still shows any year.
func TestHomeShowsTheRunningYearNotOneOpenedAhead(t *testing.T) {
	w := newWorld(t) // the clock: 23 November 2026
	admin := w.api("admin")
	const period2026 = `{"instruments":[{"instrument":"zi-2021","opens":"2026-01-15","self_deadline":"2026-12-21","review_deadline":"2027-01-20"}]}`
	for year, body := range map[string]string{"2026": period2026, "2027": period2027} {
		if st, b := admin.do("PUT", "/api/v1/periods/"+year, body); st != 200 {
			t.Fatalf("open %s = %d %v", year, st, b)
		}
	}
	heading := func(user, query string) string { // "2026" of "Periode penilaian 2026" or "· periode 2026"
		p := &page{t: t, srv: w.srv, cookies: map[string]*http.Cookie{}}
		p.login(user)
		resp, body := p.do("GET", "/"+query, nil)
		m := regexp.MustCompile(`(?i)(?:Periode penilaian|· periode) (\d{4})`).FindStringSubmatch(body)
		if resp.StatusCode != 200 || m == nil {
			t.Fatalf("%s's home%s = %d without its period", user, query, resp.StatusCode)
		}
		return m[1]
	}
	for _, user := range []string{"camat.alpha", "inspektur"} {
		if got := heading(user, ""); got != "2026" {
			t.Errorf("%s's home before 2027 opens shows %q, want the running year 2026", user, got)
		}
		if got := heading(user, "?tahun=2027"); got != "2027" {
			t.Errorf("%s's home ?tahun=2027 shows %q", user, got)
		}
	}
	// A sheet without a single answer has no score to show yet, not "0,00 (D)".
	cp := &page{t: t, srv: w.srv, cookies: map[string]*http.Cookie{}}
	cp.login("camat.alpha")
	if _, body := cp.do("GET", "/?tahun=2027", nil); !strings.Contains(body, "belum ada jawaban") || strings.Contains(body, "0,00 <small>") {
		t.Errorf("the unanswered 2027 sheets show a score on the camat's home")
	}
	// The same for every default period: the bupati's dashboard and the rankings API; the
	// admin still assigns evaluators for the year opened ahead.
	dashboardYear := func() string {
		p := &page{t: t, srv: w.srv, cookies: map[string]*http.Cookie{}}
		p.login("bupati")
		resp, body := p.do("GET", "/dasbor", nil)
		m := regexp.MustCompile(`Dasbor reformasi birokrasi (\d{4})`).FindStringSubmatch(body)
		if resp.StatusCode != 200 || m == nil {
			t.Fatalf("/dasbor = %d without its year", resp.StatusCode)
		}
		return m[1]
	}
	if got := dashboardYear(); got != "2026" {
		t.Errorf("/dasbor before 2027 opens shows %s, want 2026", got)
	}
	if st, b := w.api("bupati").do("GET", "/api/v1/rankings?instrument=zi-2021", ""); st != 200 || b["period"] != float64(2026) {
		t.Errorf("rankings without ?period = %d, period %v, want 2026", st, b["period"])
	}
	ap := &page{t: t, srv: w.srv, cookies: map[string]*http.Cookie{}}
	ap.login("admin")
	if _, body := ap.do("GET", "/admin/penugasan", nil); !strings.Contains(body, `<option value="2027"`) {
		t.Errorf("the assignments page offers no 2027, the year opened ahead")
	}

	w.clock.Set(time.Date(2027, 1, 15, 0, 0, 0, 0, wita)) // 2027's first opening day
	if got := heading("camat.alpha", ""); got != "2027" {
		t.Errorf("camat's home on 2027's opening day shows %q, want 2027", got)
	}
	if got := dashboardYear(); got != "2027" {
		t.Errorf("/dasbor on 2027's opening day shows %s, want 2027", got)
	}
}

// The home page shows the deadline that governs what the unit can still do: the review
// deadline for an assessment whose items were returned (where it showed the self deadline).
func TestHomeShowsTheReviewDeadlineForReturnedItems(t *testing.T) {
	w := newWorld(t)
	admin := w.api("admin")
	if st, _ := admin.do("PUT", "/api/v1/periods/2027", period2027); st != 200 {
		t.Fatal("open")
	}
	ctx := context.Background()
	id := assessment.ID(2027, "zi-2021", "alpha")
	a, _ := w.st.Assessments.ByID(ctx, id)
	sh, _ := w.st.Assessments.Sheet(ctx, id)
	sh.Answers = append(sh.Answers, assessment.Answer{Indicator: "P.MP.PM.1.a", Rev: 1,
		Self:   &assessment.Response{Option: "Ya", By: "camat.alpha", At: w.clock.Now()},
		Review: &assessment.Review{Option: "Tidak", Verdict: assessment.VerdictReturned, Comment: "SK belum ada", By: "inspektur", At: w.clock.Now()}})
	a.Status = assessment.Returned
	zi, _ := w.cat.Get("zi-2021")
	if err := assessment.Rescore(zi, a, sh, nil); err != nil {
		t.Fatal(err)
	}
	if err := w.st.Assessments.Put(ctx, a, sh); err != nil {
		t.Fatal(err)
	}
	w.clock.Set(time.Date(2027, 10, 20, 9, 0, 0, 0, wita)) // past the self deadline, before the review one
	p := &page{t: t, srv: w.srv, cookies: map[string]*http.Cookie{}}
	p.login("camat.alpha")
	_, body := p.do("GET", "/?tahun=2027", nil)
	row := body[strings.Index(body, `data-instrument="zi-2021"`):]
	row = row[:strings.Index(row, "</tr>")]
	if !strings.Contains(row, "Batas perbaikan") || !strings.Contains(row, "s.d. 30 November 2027 pukul 23.59 WITA") || strings.Contains(row, "telah lewat") {
		t.Errorf("returned assessment's row = %s", row)
	}
	if !strings.Contains(row, "41 hari lagi") {
		t.Errorf("countdown missing: %s", row)
	}
	if !strings.Contains(row, "1 dikembalikan") {
		t.Errorf("the returned item is not counted: %s", row)
	}
	// Once resubmitted, the item is the evaluators' again: no longer "dikembalikan" for the unit.
	a.Status = assessment.Submitted
	if err := w.st.Assessments.Put(ctx, a, sh); err != nil {
		t.Fatal(err)
	}
	_, again := p.do("GET", "/?tahun=2027", nil)
	if row := again[strings.Index(again, `data-instrument="zi-2021"`):]; strings.Contains(row[:strings.Index(row, "</tr>")], "dikembalikan") {
		t.Errorf("a resubmitted sheet still reads dikembalikan: %s", row[:strings.Index(row, "</tr>")])
	}
	sakip := body[strings.Index(body, `data-instrument="sakip-2021"`):]
	if sakip = sakip[:strings.Index(sakip, "</tr>")]; !strings.Contains(sakip, "Batas pengisian") || !strings.Contains(sakip, "11 hari lagi") {
		t.Errorf("draft's row = %s", sakip)
	}
}

// The period page opens a year as a job with its progress, and bad dates come back on the
// form with what was typed.
func TestAdminPeriodPage(t *testing.T) {
	w := newWorld(t)
	p := &page{t: t, srv: w.srv, cookies: map[string]*http.Cookie{}}
	p.login("admin")
	resp, _ := p.do("GET", "/admin/periode?tahun=2027", nil)
	if resp.StatusCode != 303 || resp.Header.Get("Location") != "/admin/periode/2027" {
		t.Fatalf("open a year = %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body := p.do("GET", "/admin/periode/2027", nil)
	token := csrfRe.FindStringSubmatch(body)[1]
	if !strings.Contains(body, `name="ikut_zi-2021" value="ya" checked`) || !strings.Contains(body, `value="2027-09-30"`) {
		t.Fatalf("new year's form lacks the defaults")
	}
	form := url.Values{"_csrf": {token}, "ikut_zi-2021": {"ya"}, "buka_zi-2021": {"2027-03-01"}, "batas_zi-2021": {"2027-02-01"}, "reviu_zi-2021": {"2027-11-30"}}
	resp, body = p.do("POST", "/admin/periode/2027", form)
	// Said as the admin reads it: the instrument's title, no field path ("instruments[0].self_deadline").
	if resp.StatusCode != 400 || !strings.Contains(body, "Zona Integritas menuju WBK/WBBM: batas pengisian (1 Februari 2027) tidak boleh sebelum tanggal buka (1 Maret 2027)") ||
		strings.Contains(body, "self_deadline") || strings.Contains(body, "Kolom") || !strings.Contains(body, `value="2027-02-01"`) {
		t.Errorf("bad dates = %d, message in %q", resp.StatusCode, clip(body[max(0, strings.Index(body, "Instrumen dan jadwal")):], 400))
	}
	form.Set("batas_zi-2021", "2027-09-30")
	resp, _ = p.do("POST", "/admin/periode/2027", form)
	if resp.StatusCode != 303 || !strings.HasPrefix(resp.Header.Get("Location"), "/tugas/") {
		t.Fatalf("save = %d → %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	w.st.Jobs.Wait()
	_, body = p.do("GET", resp.Header.Get("Location"), nil)
	if !strings.Contains(body, "Periode 2027 tersimpan: 2 penilaian dibuat, 0 sudah ada.") || !strings.Contains(body, `data-state="selesai"`) {
		t.Errorf("job page = %s", body[strings.Index(body, "<main"):])
	}
	// The job's progress as JSON, for its owner only.
	api := w.api("admin")
	jobPath := "/api/v1/jobs/" + strings.TrimPrefix(resp.Header.Get("Location"), "/tugas/")
	if st, b := api.do("GET", jobPath, ""); st != 200 || b["state"] != "selesai" || b["done"] != 2.0 || b["total"] != 2.0 {
		t.Errorf("job = %d %v", st, b)
	}
	if st, _ := w.api("camat.alpha").do("GET", jobPath, ""); st != 404 {
		t.Errorf("someone else's job = %d", st)
	}
}
