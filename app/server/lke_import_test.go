package server

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/export"
)

const zi2026 = `{"instruments":[{"instrument":"zi-2021","opens":"2026-01-15","self_deadline":"2026-11-30","review_deadline":"2026-12-31"}]}`
const zi2027 = `{"instruments":[{"instrument":"zi-2021","opens":"2027-01-15","self_deadline":"2027-11-30","review_deadline":"2027-12-31"}]}`

// typed answers alpha's 2026 sheet through the API, as a person would.
var typed = []struct{ code, body string }{
	{"P.MP.PM.1.a", `{"answer":"Ya","note":"SK Tim ZI ditetapkan Januari","rev":0}`},
	{"P.MP.PM.1.b", `{"answer":"B","note":"","rev":0}`},
	{"P.MP.RF.1.b", `{"answer":62.5,"note":"","rev":0}`},
	{"P.TT.PM.1.a", `{"answer":"D","note":"Belum ada peta proses bisnis","rev":0}`},
}

func answerOf(t *testing.T, c *client, path, code string) map[string]any {
	t.Helper()
	b := c.mustGet(path)
	for _, a := range b["answers"].([]any) {
		if m := a.(map[string]any); m["indicator"] == code {
			return m
		}
	}
	return nil
}

// lkeOf exports a sheet as the LKE workbook.
func lkeOf(t *testing.T, c *client, year int, unit string) []byte {
	t.Helper()
	resp, b := c.fetch("GET", fmt.Sprintf("/ekspor/%d/zi-2021/%s/lke.xlsx", year, unit))
	if resp.StatusCode != 200 {
		t.Fatalf("export = %d", resp.StatusCode)
	}
	return b
}

// setCell changes one cell of the LKE's indicator row of code.
func setCell(t *testing.T, book []byte, code string, col int, v any) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(book))
	if err != nil {
		t.Fatal(err)
	}
	L := export.LKELayout
	rows, _ := f.GetRows(L.Sheet)
	for i, r := range rows {
		if len(r) > 0 && r[0] == code {
			cell, _ := excelize.CoordinatesToCellName(col, i+1)
			if err := f.SetCellValue(L.Sheet, cell, v); err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			if err := f.Write(&out); err != nil {
				t.Fatal(err)
			}
			return out.Bytes()
		}
	}
	t.Fatalf("no row %s", code)
	return nil
}

// The LKE the export writes comes back in: last year's answers, notes and links into this
// year's sheet, through the service's save path (history, revs), after a preview; one bad row
// changes nothing and says why.
func TestImportLKERoundTrip(t *testing.T) {
	w := newWorld(t)
	admin, camat := w.api("admin"), w.api("camat.alpha")
	if st, _ := admin.do("PUT", "/api/v1/periods/2026", zi2026); st != 200 {
		t.Fatal("period 2026")
	}
	from := "/api/v1/assessments/2026/zi-2021/alpha"
	for _, a := range typed {
		if st, b := camat.do("PUT", from+"/answers/"+a.code, a.body); st != 200 {
			t.Fatalf("answer %s = %d %v", a.code, st, b)
		}
	}
	if st, b := camat.do("POST", from+"/answers/P.MP.PM.1.a/evidence", `{"url":"https://dokumen.contoh.go.id/sk-zi.pdf","name":"SK Tim ZI"}`); st != 201 {
		t.Fatalf("link = %d %v", st, b)
	}
	book := lkeOf(t, camat, 2026, "alpha")
	if st, _ := admin.do("PUT", "/api/v1/periods/2027", zi2027); st != 200 {
		t.Fatal("period 2027")
	}
	w.clock.Set(time.Date(2027, 3, 1, 9, 0, 0, 0, wita))
	camat = w.api("camat.alpha")
	to := "/api/v1/assessments/2027/zi-2021/alpha"

	// One bad answer and one unknown code: nothing is written, each row says why.
	bad := setCell(t, book, "P.MP.PM.1.b", export.LKELayout.ColSelfAnswer, "Mungkin")
	bad = setCell(t, bad, "P.MP.PM.2.a", export.LKELayout.ColCode, "P.XX.9")
	st, b := camat.upload(to+"/import", "lke-alpha.xlsx", bad)
	if st != 400 || !strings.Contains(b["error"].(string), "2 baris tidak valid") {
		t.Fatalf("bad file = %d %v", st, b)
	}
	reasons := map[string]string{}
	for _, l := range b["current"].(map[string]any)["lines"].([]any) {
		m := l.(map[string]any)
		if m["status"] == "galat" {
			reasons[m["code"].(string)] = m["reason"].(string)
		}
	}
	if !strings.Contains(reasons["P.MP.PM.1.b"], "Mungkin") || !strings.Contains(reasons["P.XX.9"], "tidak ada pada instrumen") || len(reasons) != 2 {
		t.Errorf("reasons = %v", reasons)
	}
	if got := camat.mustGet(to)["answers"].([]any); len(got) != 0 {
		t.Fatalf("a refused import wrote %d answers", len(got))
	}

	// The preview of the good file: what changes, nothing written yet.
	st, b = camat.upload(to+"/import?dry_run=true", "lke-alpha.xlsx", book)
	p := b["preview"].(map[string]any)
	if st != 200 || p["layout"] != "lke" || p["changes"] != 4.0 || p["links"] != 1.0 || p["invalid"] != 0.0 {
		t.Fatalf("preview = %d %v", st, p)
	}
	if ws := fmt.Sprint(p["warnings"]); !strings.Contains(ws, "tahun 2026") {
		t.Errorf("warnings = %s", ws)
	}
	if got := camat.mustGet(to)["answers"].([]any); len(got) != 0 {
		t.Fatalf("a dry run wrote %d answers", len(got))
	}
	st, b = camat.upload(to+"/import", "lke-alpha.xlsx", book)
	if st != 200 || b["progress"].(map[string]any)["answered"] != 4.0 {
		t.Fatalf("import = %d %v", st, b)
	}
	for _, a := range typed {
		old, got := answerOf(t, camat, from, a.code), answerOf(t, camat, to, a.code)
		os, ns := old["self"].(map[string]any), got["self"].(map[string]any)
		if fmt.Sprint(os["option"], os["value"], os["note"]) != fmt.Sprint(ns["option"], ns["value"], ns["note"]) || got["rev"] != 1.0 || ns["by"] != "camat.alpha" {
			t.Errorf("%s: imported %v, typed %v", a.code, ns, os)
		}
	}
	if ev := answerOf(t, camat, to, "P.MP.PM.1.a")["evidence"].([]any); len(ev) != 1 || ev[0].(map[string]any)["url"] != "https://dokumen.contoh.go.id/sk-zi.pdf" {
		t.Errorf("evidence = %v", ev)
	}
	if _, h := camat.do("GET", to+"/answers/P.MP.RF.1.b/history", ""); len(h["versions"].([]any)) != 1 {
		t.Errorf("history = %v", h)
	}
	if got := w.audit("import"); len(got) != 1 || !strings.Contains(got[0], "camat.alpha 2027/zi-2021/alpha alpha") || !strings.Contains(got[0], "4 jawaban, 1 tautan") {
		t.Errorf("audit = %v", got)
	}
	// The same file again changes nothing.
	if st, b := camat.upload(to+"/import?dry_run=true", "lke-alpha.xlsx", book); st != 200 || b["preview"].(map[string]any)["changes"] != 0.0 {
		t.Errorf("again = %d %v", st, b["preview"])
	}
	// Another kecamatan's LKE is refused.
	beta := w.api("camat.beta")
	st, b = beta.upload("/api/v1/assessments/2027/zi-2021/beta/import", "lke-alpha.xlsx", book)
	if st != 403 || !strings.Contains(b["error"].(string), "LKE unit") {
		t.Errorf("alpha's file into beta = %d %v", st, b)
	}
}

// The simple template: downloaded with the indicators, filled, imported; a note without an
// answer is refused; a file that is no table is refused; the admin never imports answers,
// and nobody imports into another unit; past the deadline nothing imports.
func TestImportTemplateAndRules(t *testing.T) {
	w := newWorld(t)
	admin, camat := w.api("admin"), w.api("camat.alpha")
	if st, _ := admin.do("PUT", "/api/v1/periods/2026", zi2026); st != 200 {
		t.Fatal("period")
	}
	resp, tpl := camat.fetch("GET", "/penilaian/2026/zi-2021/alpha/impor/templat.csv")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("template = %d", resp.StatusCode)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(tpl, []byte("\xef\xbb\xbf")))).ReadAll()
	zi, _ := w.cat.Get("zi-2021")
	if err != nil || len(rows) != zi.NumIndicators()+1 || strings.Join(rows[0], ",") != "kode,indikator,pilihan,jawaban,catatan,bukti" {
		t.Fatalf("template rows = %d, %v", len(rows), err)
	}
	fill := func(code, answer, note, evidence string) {
		for _, r := range rows {
			if r[0] == code {
				r[3], r[4], r[5] = answer, note, evidence
			}
		}
	}
	fill("P.MP.PM.1.a", "ya", "", "https://dokumen.contoh.go.id/sk.pdf")
	fill("P.MP.RF.1.b", "75,5", "dari rekap triwulan", "")
	fill("P.MP.PM.1.b", "", "catatan saja", "")
	var buf bytes.Buffer
	cw := csv.NewWriter(&buf)
	cw.Comma = ';'
	_ = cw.WriteAll(rows)
	path := "/api/v1/assessments/2026/zi-2021/alpha"
	st, b := camat.upload(path+"/import", "templat.csv", buf.Bytes())
	if st != 400 || !strings.Contains(b["error"].(string), "1 baris tidak valid") {
		t.Fatalf("note without answer = %d %v", st, b)
	}
	fill("P.MP.PM.1.b", "", "", "")
	buf.Reset()
	cw = csv.NewWriter(&buf)
	_ = cw.WriteAll(rows)
	st, b = camat.upload(path+"/import", "templat.csv", buf.Bytes())
	if st != 200 || b["preview"].(map[string]any)["layout"] != "templat" || b["preview"].(map[string]any)["changes"] != 2.0 {
		t.Fatalf("template import = %d %v", st, b)
	}
	if a := answerOf(t, camat, path, "P.MP.PM.1.a"); a["self"].(map[string]any)["option"] != "Ya" || len(a["evidence"].([]any)) != 1 {
		t.Errorf("P.MP.PM.1.a = %v", a)
	}
	if a := answerOf(t, camat, path, "P.MP.RF.1.b"); a["self"].(map[string]any)["value"] != 75.5 || a["self"].(map[string]any)["note"] != "dari rekap triwulan" {
		t.Errorf("P.MP.RF.1.b = %v", a)
	}

	if st, b := camat.upload(path+"/import", "sk.pdf", pdfBytes); st != 400 || !strings.Contains(b["error"].(string), "bukan CSV atau XLSX") {
		t.Errorf("pdf = %d %v", st, b)
	}
	if st, b := camat.upload(path+"/import", "acak.csv", []byte("a,b\n1,2\n")); st != 400 || !strings.Contains(b["error"].(string), "tidak dikenali") {
		t.Errorf("unknown table = %d %v", st, b)
	}
	if st, _ := camat.upload(path+"/import", "besar.csv", bytes.Repeat([]byte("kode,jawaban\n"), 500_000)); st != 413 {
		t.Errorf("large = %d", st)
	}
	if st, _ := admin.upload(path+"/import", "templat.csv", buf.Bytes()); st != 403 {
		t.Errorf("admin = %d, want 403: the admin never answers", st)
	}
	if st, _ := w.api("camat.beta").upload(path+"/import", "templat.csv", buf.Bytes()); st != 403 {
		t.Errorf("another kecamatan = %d", st)
	}
	w.clock.Set(time.Date(2026, 12, 1, 0, 0, 0, 0, wita))
	camat = w.api("camat.alpha")
	fill("P.MP.PM.1.a", "Tidak", "", "")
	buf.Reset()
	cw = csv.NewWriter(&buf)
	_ = cw.WriteAll(rows)
	st, b = camat.upload(path+"/import?dry_run=true", "templat.csv", buf.Bytes())
	if blocked, _ := b["preview"].(map[string]any)["blocked"].(string); st != 200 || !strings.Contains(blocked, "s.d. 30 November 2026 pukul 23.59 WITA") {
		t.Errorf("preview past the deadline = %d %v", st, b)
	}
	if st, _ := camat.upload(path+"/import", "templat.csv", buf.Bytes()); st != 403 {
		t.Errorf("import past the deadline = %d", st)
	}
}

// The page: preview, confirm, a job with its progress; a save since the preview makes the
// import a conflict that writes nothing.
func TestImportPageAndConflictSincePreview(t *testing.T) {
	w := newWorld(t)
	if st, _ := w.api("admin").do("PUT", "/api/v1/periods/2026", zi2026); st != 200 {
		t.Fatal("period")
	}
	p := &page{t: t, srv: w.srv, cookies: map[string]*http.Cookie{}}
	p.login("staf.alpha")
	_, body := p.do("GET", "/penilaian/2026/zi-2021/alpha", nil)
	if !strings.Contains(body, `id="tautan-impor"`) {
		t.Fatal("the sheet does not link the import")
	}
	_, body = p.do("GET", "/penilaian/2026/zi-2021/alpha/impor", nil)
	token := csrfRe.FindStringSubmatch(body)[1]
	file := []byte("kode,jawaban,catatan\nP.MP.PM.1.a,Ya,\nP.MP.PM.1.b,A,baik\n")
	preview := func() string {
		resp, body := p.multipart("/penilaian/2026/zi-2021/alpha/impor?_csrf="+token, "templat.csv", file)
		m := tokenRe.FindStringSubmatch(body)
		if resp.StatusCode != 200 || m == nil || !strings.Contains(body, `data-code="P.MP.PM.1.b" data-status="ubah"`) {
			t.Fatalf("preview = %d", resp.StatusCode)
		}
		return m[1]
	}
	apply := func(staged string) string {
		resp, _ := p.do("POST", "/penilaian/2026/zi-2021/alpha/impor/terapkan", url.Values{"_csrf": {token}, "token": {staged}})
		if resp.StatusCode != 303 {
			t.Fatalf("apply = %d", resp.StatusCode)
		}
		w.st.Jobs.Wait()
		_, body := p.do("GET", resp.Header.Get("Location"), nil)
		return body
	}
	staged := preview()
	// Someone saves P.MP.PM.1.b between the preview and the confirmation.
	if st, b := w.api("camat.alpha").do("PUT", "/api/v1/assessments/2026/zi-2021/alpha/answers/P.MP.PM.1.b", `{"answer":"C","note":"","rev":0}`); st != 200 {
		t.Fatalf("save = %d %v", st, b)
	}
	if body := apply(staged); !strings.Contains(body, `data-state="gagal"`) || !strings.Contains(body, "sejak pratinjau") {
		t.Fatalf("conflicting import = %s", body[strings.Index(body, "<main"):])
	}
	sh, _ := w.st.Assessments.Sheet(context.Background(), assessment.ID(2026, "zi-2021", "alpha"))
	if sh.Answer("P.MP.PM.1.a") != nil || sh.Answer("P.MP.PM.1.b").Self.Option != "C" {
		t.Fatalf("a refused import changed the sheet: %+v", sh.Answers)
	}
	if body := apply(preview()); !strings.Contains(body, "2 jawaban diperbarui") {
		t.Errorf("import = %s", body[strings.Index(body, "<main"):])
	}
	sh, _ = w.st.Assessments.Sheet(context.Background(), assessment.ID(2026, "zi-2021", "alpha"))
	if sh.Answer("P.MP.PM.1.a").Self.Option != "Ya" || sh.Answer("P.MP.PM.1.b").Self.Option != "A" || sh.Answer("P.MP.PM.1.b").Rev != 2 {
		t.Errorf("sheet after the import: %+v %+v", sh.Answer("P.MP.PM.1.a"), sh.Answer("P.MP.PM.1.b"))
	}
}
