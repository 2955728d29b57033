package server

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/rapor-rb/raporrb/app/assessment"
)

// A survey week in a real browser. The camat sets the IKM survey up and opens the poster; a
// citizen on a 390-px phone scans (opens) the QR URL and answers without an account; the
// counter tablet's kiosk form returns to an empty form after each citizen; the camat sees the
// result and the sample gauge; the IKM sheet shows the survey's NRR read-only; the bupati's
// ranking moves.
func TestBrowserSurveyWeek(t *testing.T) {
	w := newSurveyWorld(t)
	base := serve(t, w.srv)
	ctx := browser(t)
	unit, rankBefore, scoreBefore := lowIKMDraft(t, w)
	codes := rawCodes(catalog)
	camat := "camat." + unit

	// The bupati's ranking before the survey.
	var before rankRow
	if err := chromedp.Run(ctx, loginActions(base, "bupati", demoPassword), waitVisible(`#tabel-ikm-2017`),
		evaluate(rankRowJS(unit), &before), logout()); err != nil {
		t.Fatal(err)
	}
	if before.Rank != fmt.Sprint(rankBefore) || before.Score != idScore(scoreBefore) {
		t.Fatalf("the dashboard shows %+v, the API rank %d score %v", before, rankBefore, scoreBefore)
	}

	// The camat sets the survey up from the list page and opens the poster.
	var qrURL, kioskURL, posterURL string
	var qrWidth int
	var pdf []byte
	if err := chromedp.Run(ctx, loginActions(base, camat, demoPassword), waitVisible(`main .page-head`),
		navigate(base+"/kelola-survei"),
		waitVisible(`#buat-survei`),
		sendKeys(`#layanan`, "Administrasi kependudukan"),
		sendKeys(`#populasi`, "2.500"),            // as the form's hint writes it, with the thousands dot
		click(`#buat-survei button[type=submit]`), // the button, so the browser's own checks run
		waitVisible(`#alamat-survei`),
		attribute(`#alamat-survei`, "href", &qrURL, nil),
		attribute(`#alamat-kios`, "href", &kioskURL, nil),
		click(`#cetak-poster`),
		waitVisible(`#poster img.poster-qr`),
		step("waiting for the QR code to load", chromedp.Poll(`document.querySelector('#poster img.poster-qr').naturalWidth`, &qrWidth)),
		screenshot(t, "survey-poster"),
		step("printing the poster on A4", chromedp.ActionFunc(func(ctx context.Context) error {
			var err error
			pdf, _, err = cdppage.PrintToPDF().WithPreferCSSPageSize(true).Do(ctx)
			return err
		})),
		text(`#poster-alamat`, &posterURL),
		logout(),
	); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(qrURL, base+"/survei/") || !strings.Contains(base+"/"+posterURL, strings.TrimPrefix(qrURL, "http://")) || qrWidth == 0 {
		t.Fatalf("survey URL %q, poster shows %q, QR width %d", qrURL, posterURL, qrWidth)
	}
	// One A4 page (595 × 842 pt).
	pages := len(pdfPageRe.FindAll(pdf, -1))
	box := pdfBoxRe.FindSubmatch(pdf)
	if pages != 1 || box == nil || string(box[1]) != "594" || string(box[2]) != "841" {
		_ = os.WriteFile(filepath.Join(os.TempDir(), "raporrb-survey-poster.pdf"), pdf, 0o600)
		t.Errorf("the poster prints on %d pages of %q (want one A4 page); the PDF is in the temporary directory", pages, box)
	}

	// A citizen on a 390-px phone, through the QR URL: no account, every unsur, a profile.
	var overflow bool
	var formWide []string
	var thanks string
	phone := chromedp.Tasks{
		step("a 390-px phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)),
		navigate(qrURL),
		waitVisible(`#form-survei`),
		evaluate(`document.documentElement.scrollWidth > screen.width`, &overflow),
		evaluate(wideJS, &formWide),
		noRawCodes(codes, "the public form"),
		screenshot(t, "survey-form-phone"),
	}
	for i := 1; i <= 9; i++ {
		phone = append(phone, click(fmt.Sprintf(`#q-U%d input[value="4"]`, i)))
	}
	phone = append(phone,
		sendKeys(`#umur`, "41"),
		click(`input[name="jk"][value="L"]`),
		setValue(`#pendidikan`, "s1"),
		setValue(`#pekerjaan`, "swasta"),
		sendKeys(`#saran`, "Antrean sudah tertib, pertahankan."),
		chromedp.ActionFunc(func(context.Context) error { w.advance(2 * time.Minute); return nil }), // reading takes time
		click(`#kirim`),
		waitVisible(`#terima-kasih`),
		text(`#terima-kasih`, &thanks),
	)
	if err := chromedp.Run(ctx, phone); err != nil {
		t.Fatal(err)
	}
	if overflow || len(formWide) > 0 {
		t.Errorf("the form is wider than a 390-px phone: %v", formWide)
	}
	if !strings.Contains(thanks, "Terima kasih") {
		t.Errorf("thank-you page: %q", thanks)
	}

	// The counter tablet: one citizen, then the form is empty again by itself.
	var checked int
	var leftover string
	kioskCitizen := func(seed int) chromedp.Tasks {
		ts := chromedp.Tasks{navigate(kioskURL), waitVisible(`#form-survei[data-kiosk]`)}
		for i := 1; i <= 9; i++ {
			v := 4
			if (i+seed)%4 == 0 {
				v = 3
			}
			ts = append(ts, click(fmt.Sprintf(`#q-U%d input[value="%d"]`, i, v)))
		}
		return append(ts, sendKeys(`#saran`, fmt.Sprintf("Warga %d", seed)),
			chromedp.ActionFunc(func(context.Context) error { w.advance(90 * time.Second); return nil }),
			click(`#kirim`), waitVisible(`#berikutnya`))
	}
	if err := chromedp.Run(ctx, kioskCitizen(1),
		// The thank-you page returns to the kiosk form by itself (meta refresh), empty.
		waitURL(strings.TrimPrefix(kioskURL, base)),
		waitVisible(`#form-survei[data-kiosk]`),
		evaluate(`document.querySelectorAll('#form-survei input:checked').length`, &checked),
		evaluate(`document.querySelector('#saran').value`, &leftover),
	); err != nil {
		t.Fatal(err)
	}
	if checked != 0 || leftover != "" {
		t.Errorf("after the reset the kiosk form holds %d answers and %q", checked, leftover)
	}
	if err := chromedp.Run(ctx, kioskCitizen(2), click(`#berikutnya`), waitVisible(`#form-survei[data-kiosk]`)); err != nil {
		t.Fatal(err)
	}

	// The camat sees the result and the sample gauge (still on the phone).
	var n, need, ikm, gaugeCanvas string
	var wide []string
	var gauge bool
	if err := chromedp.Run(ctx, loginActions(base, camat, demoPassword), waitVisible(`main .page-head`),
		navigate(base+"/kelola-survei/2026/ikm/"+unit),
		waitVisible(`#jumlah-responden`),
		scrollIntoView(`[data-chart="survei-sampel"]`), // charts are drawn as they come into view
		waitVisible(`[data-chart="survei-sampel"] canvas`),
		text(`#jumlah-responden`, &n), text(`#sampel-minimal`, &need), text(`#ikm`, &ikm),
		evaluate(`!!echarts.getInstanceByDom(document.querySelector('[data-chart="survei-sampel"]'))`, &gauge),
		text(`#status-sampel`, &gaugeCanvas),
		evaluate(wideJS, &wide),
		noRawCodes(codes, "the survey's results"),
		screenshot(t, "survey-results-phone"),
	); err != nil {
		t.Fatal(err)
	}
	if len(wide) > 0 {
		t.Errorf("the results page is wider than the phone: %v", wide)
	}
	res := w.results(w.api(camat), "2026/ikm/"+unit)
	if n != "3" || need != "333" || !gauge || !strings.Contains(gaugeCanvas, "Kurang 330") {
		t.Errorf("results page: n %q of %q, gauge %v, %q", n, need, gauge, gaugeCanvas)
	}
	if ikm != idScore(res["ikm"].(float64)) {
		t.Errorf("IKM on the page %q, API %v", ikm, res["ikm"])
	}

	// The IKM sheet shows the survey's NRR, read-only.
	var note string
	var readOnly bool
	if err := chromedp.Run(ctx, navigate(base+"/penilaian/2026/ikm-2017/"+unit),
		waitVisible(`#ind-IKM\.U1 .survey-source`),
		text(`#ind-IKM\.U1 .survey-value`, &note),
		evaluate(`document.querySelector('#ind-IKM\\.U1 form.answer-form') === null`, &readOnly),
		noRawCodes(codes, "the IKM sheet with the survey's answers"),
		scrollIntoView(`#ind-IKM\.U1`),
		screenshot(t, "survey-sheet-phone"),
		logout(),
	); err != nil {
		t.Fatal(err)
	}
	if want := idScore(res["nrr"].(map[string]any)["U1"].(float64)); note != want || !readOnly {
		t.Errorf("IKM.U1 on the sheet: %q (want %s), read-only %v", note, want, readOnly)
	}

	// The bupati's ranking moves.
	var after rankRow
	if err := chromedp.Run(ctx, loginActions(base, "bupati", demoPassword), waitVisible(`#tabel-ikm-2017`),
		evaluate(rankRowJS(unit), &after)); err != nil {
		t.Fatal(err)
	}
	if after.Score != ikm || after.Rank == before.Rank {
		t.Errorf("the bupati's ranking: before %+v, after %+v (IKM %s)", before, after, ikm)
	}
}

var (
	pdfPageRe = regexp.MustCompile(`/Type\s*/Page[^s]`)
	pdfBoxRe  = regexp.MustCompile(`/MediaBox\s*\[0 0 (\d+)[.\d]* (\d+)`)
)

type rankRow struct {
	Rank  string `json:"rank"`
	Score string `json:"score"`
}

func rankRowJS(unit string) string {
	return fmt.Sprintf(`(() => { const tr = document.querySelector('#tabel-ikm-2017 tbody tr[data-unit=%q]');
		return {rank: tr.cells[0].textContent.trim(), score: tr.querySelector('.score').textContent.trim()}; })()`, unit)
}

// idScore writes a score as the pages do: two decimals, a decimal comma.
func idScore(x float64) string { return strings.Replace(fmt.Sprintf("%.2f", x), ".", ",", 1) }

// lowIKMDraft returns the kecamatan with a draft IKM sheet ranked lowest in 2026, with its rank
// and score (the survey of the test lifts it).
func lowIKMDraft(t *testing.T, w *surveyWorld) (string, int, float64) {
	t.Helper()
	_, body := w.api("bupati").do("GET", "/api/v1/rankings?period=2026&instrument=ikm-2017", "")
	rows := body["rows"].([]any)
	for i := len(rows) - 1; i >= 0; i-- {
		r := rows[i].(map[string]any)
		if r["status"] == string(assessment.Draft) && r["rank"].(float64) > 1 {
			return r["unit"].(string), int(r["rank"].(float64)), r["score"].(float64)
		}
	}
	t.Fatal("no draft IKM sheet below the top")
	return "", 0, 0
}

// screenshot saves the whole page as a PNG in the temporary directory and logs where.
func screenshot(t *testing.T, name string) chromedp.Action {
	return chromedp.ActionFunc(func(ctx context.Context) error {
		var buf []byte
		if err := chromedp.FullScreenshot(&buf, 90).Do(ctx); err != nil {
			return err
		}
		path := filepath.Join(os.TempDir(), "raporrb-"+name+".png")
		if err := os.WriteFile(path, buf, 0o600); err != nil {
			return err
		}
		t.Logf("%s: %s", name, path)
		return nil
	})
}

// wideJS lists the elements whose content reaches past their box without a scroll of their
// own (none on a page that fits the phone), with the page's overflow. The page is judged against
// screen.width, the phone's: with mobile emulation window.innerWidth grows with a page that
// overflows, so a check against it cannot fail.
const wideJS = `(document.documentElement.scrollWidth > screen.width ? ['page ' + document.documentElement.scrollWidth] : []).concat(
	Array.from(document.querySelectorAll('main *')).filter(e => e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1 &&
		getComputedStyle(e).overflowX === 'visible').slice(0, 8).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' ' + e.scrollWidth + '/' + e.clientWidth))`
