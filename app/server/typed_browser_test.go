package server

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/rapor-rb/raporrb/app/web"
)

// Nothing a camat types on the sheet is lost (issue 13): every error shows inline in the
// indicator with what was typed still there, and an ended session offers a login that comes
// back to the same indicator with the typed values.

// openUnitSheet logs in as the camat of a draft kecamatan (not the journey's) and opens its ZI
// sheet; it returns the sheet's path.
func openUnitSheet(t *testing.T, srv *web.Server, base string, ctx context.Context) (string, string) {
	t.Helper()
	unit := draftUnit(t, login(t, srv, "bupati"))
	path := fmt.Sprintf("/penilaian/%d/zi-2021/%s", demoNow.Year(), unit)
	if err := chromedp.Run(ctx, loginActions(base, "camat."+unit, demoPassword), waitVisible(`main .page-head`),
		navigate(base+path), waitVisible(`#skor-total`)); err != nil {
		t.Fatal(err)
	}
	return unit, path
}

// unanswered returns the codes of the first n editable choice indicators with no answer yet.
func unanswered(t *testing.T, ctx context.Context, n int) []string {
	t.Helper()
	var ids []string
	js := fmt.Sprintf(`Array.from(document.querySelectorAll('article.indicator')).filter(a =>
		a.querySelector('input[type=radio]') && !a.querySelector('input[type=radio]:checked') &&
		!a.querySelector('fieldset[disabled]') && a.querySelector('.upload-form')).slice(0, %d).map(a => a.id.slice(4))`, n)
	if err := chromedp.Run(ctx, evaluate(js, &ids)); err != nil || len(ids) < n {
		t.Fatalf("unanswered choice indicators: %v %v", ids, err)
	}
	return ids
}

func TestBrowserSheetErrorsKeepWhatWasTyped(t *testing.T) {
	srv := newServer(t, web.Config{UploadMax: 64 << 10})
	base := serve(t, srv)
	ctx := browser(t)
	_, _ = openUnitSheet(t, srv, base, ctx)
	codes := unanswered(t, ctx, 2)

	// No option chosen, a note typed: the error is in the indicator, the note stays.
	a := ind(codes[0])
	note := "Catatan yang tidak boleh hilang"
	var gotNote, msg string
	if err := chromedp.Run(ctx,
		sendKeys(a+` textarea[name=catatan]`, note),
		click(a+` .answer-form button[type=submit]`),
		waitVisible(a+`[data-state="galat"]`),
		text(a+` .save-state`, &msg),
		evaluate(`document.querySelector('`+a+` textarea[name=catatan]').value`, &gotNote),
	); err != nil {
		t.Fatal(err)
	}
	if gotNote != note || !strings.Contains(msg, "Pilih atau isi jawaban") || strings.Contains(msg, codes[0]) {
		t.Errorf("no option: message %q, note %q (want %q kept, and no code in the card's message)", msg, gotNote, note)
	}

	// An out-of-range percentage: the error, and the typed number, not the old value.
	var pct string
	if err := chromedp.Run(ctx, evaluate(`Array.from(document.querySelectorAll('article.indicator')).find(a =>
		a.querySelector('label.number') && a.querySelector('label.number').textContent.includes('Persentase') && !a.querySelector('fieldset[disabled]')).id.slice(4)`, &pct)); err != nil {
		t.Fatal(err)
	}
	p := ind(pct)
	var gotNum string
	if err := chromedp.Run(ctx,
		setValue(p+` input[name=jawaban]`, "150"),
		setValue(p+` textarea[name=catatan]`, "terlalu besar"),
		click(p+` .answer-form button[type=submit]`),
		waitVisible(p+`[data-state="galat"]`),
		text(p+` .save-state`, &msg),
		evaluate(`document.querySelector('`+p+` input[name=jawaban]').value`, &gotNum),
	); err != nil {
		t.Fatal(err)
	}
	if gotNum != "150" || !strings.Contains(msg, "100") || strings.Contains(msg, pct) {
		t.Errorf("out of range: message %q, value %q (want 150 kept, and no code in the card's message)", msg, gotNum)
	}

	// Upload errors: inline in the evidence block; the sheet stays, and so does an answer
	// typed but not yet saved in the same indicator.
	e := ind(codes[1])
	dir := t.TempDir()
	fake, big := filepath.Join(dir, "laporan.pdf"), filepath.Join(dir, "besar.pdf")
	if err := os.WriteFile(fake, []byte("<!doctype html><p>bukan pdf</p>"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(big, append(append([]byte{}, pdfBytes...), bytes.Repeat([]byte(" "), 100<<10)...), 0o600); err != nil {
		t.Fatal(err)
	}
	typed := "belum disimpan"
	if err := chromedp.Run(ctx, click(e+` input[type=radio]`), sendKeys(e+` textarea[name=catatan]`, typed)); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name  string
		files []string
		sel   string
		want  string
	}{
		{"wrong type", []string{fake}, e + ` .evidence-error`, "tidak diizinkan"},
		{"too big", []string{big}, e + ` .inline-error`, "melebihi batas"},
		{"no file", nil, e + ` .evidence-error`, "Pilih berkas"},
	} {
		actions := chromedp.Tasks{waitReady(e + ` .upload-form input[type=file]`)}
		if tc.files != nil {
			actions = append(actions, uploadFiles(e+` .upload-form input[type=file]`, tc.files))
		} else {
			actions = append(actions, evaluate(`document.querySelector('`+e+` .upload-form input[type=file]').value = ''`, nil))
		}
		var shown, keptNote string
		var checked bool
		actions = append(actions,
			click(e+` .upload-form button`),
			waitText(tc.sel, tc.want),
			text(tc.sel, &shown),
			waitVisible(`#skor-total`),
			evaluate(`document.querySelector('`+e+` textarea[name=catatan]').value`, &keptNote),
			evaluate(`!!document.querySelector('`+e+` input[type=radio]:checked')`, &checked),
		)
		if err := chromedp.Run(ctx, actions); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if keptNote != typed || !checked {
			t.Errorf("%s: the unsaved answer went: note %q, option chosen %v", tc.name, keptNote, checked)
		}
		var home bool
		if err := chromedp.Run(ctx, evaluate(`document.body.innerText.includes('Kembali ke beranda')`, &home)); err != nil || home {
			t.Errorf("%s: an error page replaced the sheet (%v)", tc.name, err)
		}
	}
}

func TestBrowserEndedSessionKeepsTypedAnswer(t *testing.T) {
	srv := newServer(t, web.Config{})
	base := serve(t, srv)
	ctx := browser(t)
	unit, path := openUnitSheet(t, srv, base, ctx)
	code := unanswered(t, ctx, 1)[0]
	a := ind(code)

	// Another tab of the same browser logs out.
	tab, cancel := chromedp.NewContext(ctx)
	defer cancel()
	if err := chromedp.Run(tab, navigate(base+"/"), logout()); err != nil {
		t.Fatal(err)
	}
	cancel()

	note := "Ditulis sebelum sesi berakhir"
	var option, msg string
	if err := chromedp.Run(ctx,
		evaluate(`document.querySelector('`+a+` input[type=radio]').value`, &option),
		click(a+` input[type=radio]`),
		sendKeys(a+` textarea[name=catatan]`, note),
		click(a+` .answer-form button[type=submit]`),
		waitVisible(a+` .inline-error .relogin`),
		text(a+` .inline-error`, &msg),
	); err != nil {
		t.Fatal(err)
	}
	var kept string
	var checked bool
	if err := chromedp.Run(ctx,
		evaluate(`document.querySelector('`+a+` textarea[name=catatan]').value`, &kept),
		evaluate(`document.querySelector('`+a+` input[value="`+option+`"]').checked`, &checked),
	); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(msg, "Sesi Anda telah berakhir") || kept != note || !checked {
		t.Errorf("after the 401: message %q, note %q, option kept %v", msg, kept, checked)
	}

	// "Masuk kembali" → the login → back on the same indicator, the typed values put back.
	if err := chromedp.Run(ctx,
		click(a+` .inline-error .relogin`),
		waitVisible(`#username`),
		sendKeys(`#username`, "camat."+unit),
		sendKeys(`#password`, demoPassword),
		submit(`#password`),
		waitURL(path+"#ind-"+code),
		waitVisible(a+` .draft-restored`),
		evaluate(`document.querySelector('`+a+` textarea[name=catatan]').value`, &kept),
		evaluate(`document.querySelector('`+a+` input[value="`+option+`"]').checked`, &checked),
	); err != nil {
		t.Fatal(err)
	}
	if kept != note || !checked {
		t.Fatalf("after logging in again: note %q, option %v", kept, checked)
	}
	var drafts int
	var dump string
	if err := chromedp.Run(ctx,
		click(a+` .answer-form button[type=submit]`),
		waitVisible(a+`[data-state="tersimpan"]`),
		waitNotPresent(a+` .draft-restored`), evaluate(`Object.keys(localStorage).filter(k => k.startsWith("raporrb:draft:")).length`, &drafts), evaluate(`JSON.stringify(localStorage)`, &dump),
	); err != nil {
		t.Fatal(err)
	}
	if drafts != 0 {
		t.Errorf("%d drafts left after the save: %s", drafts, dump)
	}
	api := login(t, srv, "camat."+unit)
	_, sheet := api.do("GET", "/api/v1/assessments/"+strings.TrimPrefix(path, "/penilaian/"), "")
	saved := false
	for _, x := range sheet["answers"].([]any) {
		if m := x.(map[string]any); m["indicator"] == code {
			self, _ := m["self"].(map[string]any)
			saved = self["option"] == option && self["note"] == note
		}
	}
	if !saved {
		t.Errorf("the answer typed before the session ended was not saved after logging in again")
	}
}
