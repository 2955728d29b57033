package server

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/rapor-rb/raporrb/app/instrument"
)

// The evaluation season's loop in a real browser, on a phone-sized screen: the evaluator
// reviews a submitted sheet and returns two items with comments; the camat sees only those,
// fixes them and resubmits; the evaluator sees what changed, writes the findings and
// finalizes; the kecamatan opens its LHE; the bupati's ranking shows the final score, marked
// final; the admin finds every step in the audit log.
func TestBrowserReviewLoop(t *testing.T) {
	_, res, srv := freshDemo(t)
	base := serve(t, srv)
	ctx := browser(t)
	api := login(t, srv, "inspektur")
	apiPath, unit := submittedZI(t, api)
	var camat string
	for _, a := range res.Accounts {
		if a.Unit == unit && a.Role == "camat" {
			camat = a.Username
		}
	}
	zi, _ := catalog.Get("zi-2021")
	var picks []string // two choice indicators with an answer from the kecamatan
	for code, a := range answersOf(t, api, apiPath) {
		if zi.ScaleOf(code).Kind == instrument.KindChoice && a["self"] != nil && len(picks) < 2 {
			picks = append(picks, code)
		}
	}
	if len(picks) < 2 {
		t.Fatal("no two answered choice indicators")
	}
	year := demoNow.Year()
	review := fmt.Sprintf("/reviu/%d/zi-2021/%s", year, unit)
	sheet := fmt.Sprintf("/penilaian/%d/zi-2021/%s", year, unit)
	run := func(what string, as ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, as...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	signIn := func(user string) {
		t.Helper()
		run("signing in as "+user, network.ClearBrowserCookies(), loginActions(base, user, demoPassword), waitVisible(`main .page-head`))
	}

	// 1. The evaluator finds the submission among what waits for them, marks two items
	// dikembalikan with comments, and returns them.
	signIn("inspektur")
	run("the evaluator's queue", waitVisible(`#perlu-tindakan a[href="`+review+`"]`), waitVisible(`#antrian tr[data-unit="`+unit+`"]`),
		click(`#perlu-tindakan a[href="`+review+`"]`), waitVisible(`#skor`))
	for i, code := range picks {
		card := ind(code)
		run("marking "+code,
			scrollIntoView(card),
			click(card+` input[name=verdict][value=dikembalikan]`),
			sendKeys(card+` textarea[name=komentar]`, fmt.Sprintf("Perbaiki bukti nomor %d: dokumen belum ditandatangani.", i+1)),
			click(card+` .review-form button[type=submit]`),
			waitVisible(card+`[data-state="tersimpan"]`))
	}
	var status string
	run("returning", waitText(`#kembalikan-buka`, "Kembalikan 2 indikator"), click(`#kembalikan-buka`), click(`#kembalikan`),
		waitURL("pesan=dikembalikan"), waitVisible(`#pesan`), text(`#status`, &status))
	if status != "Perlu perbaikan" {
		t.Errorf("status after the return = %q", status)
	}

	// 2. The camat sees only the two returned items, fixes them and resubmits.
	signIn(camat)
	var listed, shown, editable int
	run("the camat's returned items",
		waitVisible(`#perlu-tindakan li[data-kind="dikembalikan"] a`),
		click(`#perlu-tindakan li[data-kind="dikembalikan"] a`),
		waitVisible(`#dikembalikan`),
		evaluate(`document.querySelectorAll('#dikembalikan li').length`, &listed),
		evaluate(`document.querySelectorAll('article.indicator').length`, &shown),
		evaluate(`document.querySelectorAll('article.indicator fieldset:not([disabled])').length`, &editable))
	if listed != 2 || shown != 2 || editable != 2 {
		t.Errorf("returned items: %d listed, %d shown, %d editable; want 2 each", listed, shown, editable)
	}
	for _, code := range picks {
		card := ind(code)
		var other string
		run("choosing another answer for "+code, evaluate(`document.querySelector('`+card+` input[name=jawaban]:not(:checked)').value`, &other))
		run("fixing "+code,
			click(card+` input[name=jawaban][value="`+other+`"]`),
			sendKeys(card+` textarea[name=catatan]`, " Dokumen sudah ditandatangani."),
			click(card+` .answer-form button[type=submit]`),
			waitVisible(card+`[data-state="tersimpan"]`))
	}
	run("resubmitting", navigate(base+sheet), waitVisible(`#pengajuan`),
		chromedp.ActionFunc(func(c2 context.Context) error {
			var n int
			if err := evaluate(`document.querySelectorAll('#pengajuan input[name=yakin]').length`, &n).Do(c2); err != nil || n == 0 {
				return err
			}
			return click(`#pengajuan input[name=yakin]`).Do(c2)
		}),
		click(`#ajukan`), waitVisible(`#hanya-baca`), text(`#status`, &status))
	if status != "Diajukan" {
		t.Errorf("status after the resubmission = %q", status)
	}

	// 3. The evaluator sees what changed, accepts it, approves the rest, writes the findings
	// the low areas need, and finalizes.
	signIn("inspektur")
	var changed int
	run("what changed", navigate(base+review+"?saring=berubah"), waitVisible(`#skor`),
		evaluate(`document.querySelectorAll('article.indicator .changed').length`, &changed))
	if changed != 2 {
		t.Errorf("%d items marked as changed since returned, want 2", changed)
	}
	for _, code := range picks {
		card := ind(code)
		run("accepting "+code, scrollIntoView(card),
			click(card+` .review-form input[name=nilai]`),
			click(card+` input[name=verdict][value=sesuai]`),
			click(card+` .review-form button[type=submit]`),
			waitVisible(card+`[data-state="tersimpan"]`))
	}
	run("approving the rest", navigate(base+review), waitVisible(`#setujui-semua-buka`), click(`#setujui-semua-buka`), click(`#setujui-semua`),
		waitURL("disetujui="), waitVisible(`#pesan`))
	var required []string
	run("required findings", evaluate(`Array.from(document.querySelectorAll('form.finding')).filter(f => f.querySelector('.badge-warn')).map(f => f.id)`, &required))
	for _, id := range required {
		form := `[id="` + id + `"]`
		run("findings "+id, scrollIntoView(form),
			sendKeys(form+` textarea[name=kondisi]`, "Bukti dukung belum lengkap pada area ini."),
			sendKeys(form+` textarea[name=rekomendasi]`, "Lengkapi bukti dukung dan tetapkan penanggung jawab tindak lanjut."),
			click(form+` button[type=submit]`), waitVisible(form+` .save-state`))
	}
	run("finalizing", scrollIntoView(`#finalkan-buka`), click(`#finalkan-buka`), click(`#finalkan`), waitText(`#pesan`, "difinalkan"), text(`#status`, &status))
	if status != "Final" {
		t.Fatalf("status after finalizing = %q", status)
	}
	_, final := api.do("GET", apiPath, "")
	total := final["final"].(map[string]any)["total"].(float64)
	want := strings.Replace(fmt.Sprintf("%.2f", total), ".", ",", 1)

	// 4. The kecamatan opens its LHE from its home.
	signIn(camat)
	var lheTotal string
	var findings int
	run("the LHE", click(`tr[data-instrument="zi-2021"] .final-score a`), waitVisible(`#lhe-total`), text(`#lhe-total`, &lheTotal),
		evaluate(`document.querySelectorAll('#lhe-temuan tbody tr').length`, &findings))
	if !strings.HasPrefix(lheTotal, want) || findings != len(required) {
		t.Errorf("LHE total %q (want %s), %d findings (want %d)", lheTotal, want, findings, len(required))
	}
	var shot []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&shot, 100)); err == nil {
		_ = os.WriteFile(filepath.Join(os.TempDir(), "raporrb-lhe.png"), shot, 0o644)
	}

	// 5. The bupati's ranking shows the final score, marked final.
	signIn("bupati")
	var score string
	run("the ranking", waitVisible(`#tabel-zi-2021`), text(`#tabel-zi-2021 tr[data-unit="`+unit+`"] td.score strong`, &score))
	if score != want {
		t.Errorf("ranking shows %q for %s, want the final %s in bold", score, unit, want)
	}

	// 6. The admin finds every step in the audit log.
	signIn("admin")
	var actions []string
	run("the audit log", navigate(base+"/admin/audit?unit="+unit), waitVisible(`#audit`),
		evaluate(`Array.from(document.querySelectorAll('#audit tbody tr')).map(r => r.dataset.action)`, &actions))
	have := strings.Join(actions, " ")
	for _, act := range []string{"review.start", "review.save", "return", "answer.save", "submit", "review.approve_all", "finalize"} {
		if !strings.Contains(have, act) {
			t.Errorf("audit log lacks %s (has %s)", act, have)
		}
	}
	if len(required) > 0 && !strings.Contains(have, "findings.save") {
		t.Errorf("audit log lacks the findings")
	}
}
