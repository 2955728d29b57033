package server

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/web"
)

// ind is the CSS selector of an indicator's article (codes contain dots, so no #id).
func ind(code string) string { return fmt.Sprintf(`[id="ind-%s"]`, code) }

// The camat journey of DESIGN.md (without evidence, which a later step adds): answer three
// indicators of different scales and see the self-score move; meet a 409 made by a colleague
// and keep one's own version; submit; the sheet is then read-only.
func TestBrowserCamatAnswersResolvesConflictAndSubmits(t *testing.T) {
	srv := newServer(t, web.Config{})
	base := serve(t, srv)
	ctx := browser(t)
	camat := demoAccount(t, account.Camat, "")
	path := fmt.Sprintf("/penilaian/%d/zi-2021/%s", demoNow.Year(), camat.Unit)

	var total0 string
	if err := chromedp.Run(ctx, loginActions(base, camat.Username, demoPassword),
		waitVisible(`main .page-head`),
		click(`a[href="`+path+`"]`),
		waitVisible(`#skor-total`),
		text(`#skor-total`, &total0),
	); err != nil {
		t.Fatal(err)
	}

	save := func(code string, set chromedp.Action) {
		t.Helper()
		err := chromedp.Run(ctx, set,
			click(ind(code)+` .answer-form button[type=submit]`),
			waitVisible(ind(code)+`[data-state="tersimpan"]`))
		if err != nil {
			t.Fatalf("saving %s: %v", code, err)
		}
	}
	// A choice: click the first option that is not the current one.
	var option string
	if err := chromedp.Run(ctx, evaluate(`document.querySelector('`+ind("P.MP.PM.1.b")+` input[type=radio]:not(:checked)').value`, &option)); err != nil {
		t.Fatal(err)
	}
	save("P.MP.PM.1.b", click(ind("P.MP.PM.1.b")+` input[value="`+option+`"]`))
	// A percentage and a 0–4 survey value, typed with the decimal comma a person uses.
	save("P.MP.RF.1.b", setValue(ind("P.MP.RF.1.b")+` input[name=jawaban]`, "37"))
	save("H.BA.IPAK.a", setValue(ind("H.BA.IPAK.a")+` input[name=jawaban]`, "1,5"))

	var total1 string
	var shot []byte
	if err := chromedp.Run(ctx, text(`#skor-total`, &total1),
		scrollIntoView(ind("P.MP.PM.1.b")), chromedp.CaptureScreenshot(&shot)); err != nil {
		t.Fatal(err)
	}
	_ = os.WriteFile(filepath.Join(os.TempDir(), "raporrb-camat-indicator.png"), shot, 0o644)
	if total1 == total0 {
		t.Errorf("self-score did not move: %s → %s", total0, total1)
	}

	// Evidence: a PDF and an image through the plain file input (the form posts and the page
	// comes back on the indicator), then a link.
	dir := t.TempDir()
	pdf, img := filepath.Join(dir, "SK_Tim_ZI.pdf"), filepath.Join(dir, "foto_apel.png")
	if err := os.WriteFile(pdf, pdfBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(img, pngBytes(t), 0o600); err != nil {
		t.Fatal(err)
	}
	const ev = "P.MP.PM.1.b"
	var before, after int
	if err := chromedp.Run(ctx, evaluate(`document.querySelectorAll('`+ind(ev)+` .evidence-list li').length`, &before)); err != nil {
		t.Fatal(err)
	}
	err := chromedp.Run(ctx,
		uploadFiles(ind(ev)+` .upload-form input[type=file]`, []string{pdf, img}),
		click(ind(ev)+` .upload-form button`),
		waitVisible(ind(ev)+` .evidence-list li[data-kind=file]`),
		sendKeys(ind(ev)+` .link-form input[name=url]`, "https://dokumen.contoh.go.id/zi/apel-pagi"),
		click(ind(ev)+` .link-form button`),
		waitVisible(ind(ev)+` .evidence-list li[data-kind=link]`),
		evaluate(`document.querySelectorAll('`+ind(ev)+` .evidence-list li').length`, &after),
	)
	if err != nil {
		t.Fatal(err)
	}
	if after != before+3 {
		t.Errorf("evidence items %d → %d, want +3", before, after)
	}

	// A colleague (staf, through the API) saves the same indicator first.
	staf := demoAccount(t, account.Staf, "")
	api := login(t, srv, staf.Username)
	_, sheet := api.do("GET", "/api/v1/assessments/"+strings.TrimPrefix(path, "/penilaian/"), "")
	var rev float64
	for _, a := range sheet["answers"].([]any) {
		if m := a.(map[string]any); m["indicator"] == "P.MP.RF.1.b" {
			rev = m["rev"].(float64)
		}
	}
	if st, b := api.do("PUT", "/api/v1/assessments/"+strings.TrimPrefix(path, "/penilaian/")+"/answers/P.MP.RF.1.b",
		fmt.Sprintf(`{"answer": 55, "note": "dari staf", "rev": %d}`, int(rev))); st != 200 {
		t.Fatalf("colleague's save = %d %v", st, b)
	}
	// The camat, still on the old rev, saves: conflict, both versions shown; keep mine.
	var their, mine string
	err = chromedp.Run(ctx,
		setValue(ind("P.MP.RF.1.b")+` input[name=jawaban]`, "42"),
		click(ind("P.MP.RF.1.b")+` .answer-form button[type=submit]`),
		waitVisible(ind("P.MP.RF.1.b")+`[data-state="konflik"]`),
		text(ind("P.MP.RF.1.b")+` .their`, &their),
		text(ind("P.MP.RF.1.b")+` .mine`, &mine),
		click(ind("P.MP.RF.1.b")+` .keep-mine`),
		waitVisible(ind("P.MP.RF.1.b")+`[data-state="tersimpan"]`),
	)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(their, "55") || !strings.Contains(mine, "42") {
		t.Errorf("conflict shows theirs %q and mine %q", their, mine)
	}
	_, sheet = api.do("GET", "/api/v1/assessments/"+strings.TrimPrefix(path, "/penilaian/"), "")
	for _, a := range sheet["answers"].([]any) {
		if m := a.(map[string]any); m["indicator"] == "P.MP.RF.1.b" {
			if v := m["self"].(map[string]any)["value"]; v != 42.0 {
				t.Errorf("kept version = %v, want 42", v)
			}
		}
	}

	// Submit (the sheet is incomplete, so the confirmation must be ticked), then read-only.
	var status string
	var disabled bool
	err = chromedp.Run(ctx,
		click(`#pengajuan input[name=yakin]`),
		click(`#ajukan`),
		waitVisible(`#hanya-baca`),
		text(`#status`, &status),
		evaluate(`document.querySelector('`+ind("P.MP.PM.1.b")+` fieldset').disabled`, &disabled),
	)
	if err != nil {
		t.Fatal(err)
	}
	if status != "Diajukan" || !disabled {
		t.Errorf("after submit: status %q, fieldset disabled %v", status, disabled)
	}
	var buf []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&buf, 100)); err == nil {
		_ = os.WriteFile(filepath.Join(os.TempDir(), "raporrb-camat-sheet.png"), buf, 0o644)
	}
	// The API agrees: a write now conflicts with the status (409), with the reason.
	st, b := api.do("PUT", "/api/v1/assessments/"+strings.TrimPrefix(path, "/penilaian/")+"/answers/P.MP.RF.1.b", `{"answer": 60, "rev": 3}`)
	wantError(t, st, b, 409, "conflict")
}
