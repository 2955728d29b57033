package server

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/rapor-rb/raporrb/app/web"
)

// Pages that once reached past a 390-px phone: the admin's navigation (five links), the
// dashboard's instrument select (an instrument's full title), the file inputs of the instrument
// and import pages, the rapor's summary table and the review page's per-area table. Nothing may
// widen the page: a wide table scrolls inside its own box.
func TestBrowserPagesFitAPhone(t *testing.T) {
	srv := newServer(t, web.Config{})
	base := serve(t, srv)
	ctx := browser(t)
	api := login(t, srv, "inspektur")
	year := demoNow.Year()
	st, b := api.do("GET", fmt.Sprintf("/api/v1/assessments?period=%d&instrument=sakip-2021", year), "")
	if st != 200 {
		t.Fatalf("list = %d %v", st, b)
	}
	review := ""
	for _, x := range b["assessments"].([]any) {
		if a := x.(map[string]any); a["status"] == "diajukan" {
			review = fmt.Sprintf("/reviu/%d/sakip-2021/%s", year, a["unit"])
			break
		}
	}
	if review == "" {
		t.Fatal("no submitted SAKIP sheet among inspektur's units")
	}
	unit := demoRes.Accounts[len(demoRes.Accounts)-1].Unit
	for _, tc := range []struct {
		user  string
		pages []string
	}{
		{"admin", []string{"/", "/dasbor", "/admin/instrumen", "/admin/impor", fmt.Sprintf("/rapor/%d/%s", year, unit)}},
		{"inspektur", []string{review}},
	} {
		if err := chromedp.Run(ctx, network.ClearBrowserCookies(),
			step("a 390-px phone", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile)),
			loginActions(base, tc.user, demoPassword), waitVisible(`main .page-head`)); err != nil {
			t.Fatal(err)
		}
		for _, page := range tc.pages {
			var wide []string
			if err := chromedp.Run(ctx, navigate(base+page), waitVisible(`main`), evaluate(phoneWideJS, &wide)); err != nil {
				t.Fatal(err)
			}
			if len(wide) > 0 {
				t.Errorf("%s as %s is wider than the phone: %s", page, tc.user, strings.Join(wide, "; "))
			}
		}
	}
}

// phoneWideJS lists the page's width when it is wider than the window, and the elements whose
// right edge passes the window outside a box that scrolls or clips on its own.
const phoneWideJS = `(() => {
	const w = screen.width, sw = document.documentElement.scrollWidth; // the phone, 390 px
	if (sw <= w) return [];
	const out = ['page ' + sw + ' px'];
	for (const e of document.querySelectorAll('body *')) {
		if (e.getBoundingClientRect().right <= w + 1) continue;
		let p = e.parentElement, held = false;
		for (; p && p !== document.body; p = p.parentElement) {
			if (getComputedStyle(p).overflowX !== 'visible' && p.getBoundingClientRect().right <= w + 1) { held = true; break; }
		}
		if (!held) out.push(e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + ' to ' + Math.round(e.getBoundingClientRect().right) + ' px');
		if (out.length > 8) break;
	}
	return out;
})()`

// A draft kept in the browser (a save that failed, then the page left) is put back only into a
// form that can still be saved: on a sheet that has since been submitted the read-only form
// keeps showing what is stored, without "tekan Simpan", and the draft stays kept.
func TestBrowserDraftNotRestoredIntoReadOnlyForm(t *testing.T) {
	srv := newServer(t, web.Config{})
	base := serve(t, srv)
	ctx := browser(t)
	year := demoNow.Year()
	st, b := login(t, srv, "bupati").do("GET", fmt.Sprintf("/api/v1/assessments?period=%d", year), "")
	if st != 200 {
		t.Fatalf("list = %d %v", st, b)
	}
	sheet, unit := "", ""
	for _, x := range b["assessments"].([]any) {
		if a := x.(map[string]any); a["status"] == "diajukan" && a["instrument"] != "ikm-2017" {
			unit = a["unit"].(string)
			sheet = fmt.Sprintf("/penilaian/%d/%s/%s", year, a["instrument"], unit)
			break
		}
	}
	if sheet == "" {
		t.Fatal("no submitted sheet in the demo")
	}
	const first = `article.indicator .answer-form`
	var before, after, key string
	var restored int
	plant := `(() => {
		const f = document.querySelector('` + first + `');
		const k = 'raporrb:draft:' + document.body.dataset.user + ':' + new URL(f.getAttribute('hx-post'), location.href).pathname;
		localStorage.setItem(k, JSON.stringify({at: Date.now(), fields: {catatan: 'isian lama yang tidak tersimpan'}}));
		return k;
	})()`
	if err := chromedp.Run(ctx, loginActions(base, "camat."+unit, demoPassword), waitVisible(`main .page-head`),
		navigate(base+sheet), waitVisible(`#hanya-baca`),
		evaluate(`document.querySelector('`+first+` textarea').value`, &before),
		evaluate(plant, &key),
		navigate(base+sheet), waitVisible(`#hanya-baca`),
		evaluate(`document.querySelectorAll('.draft-restored').length`, &restored),
		evaluate(`document.querySelector('`+first+` textarea').value`, &after),
	); err != nil {
		t.Fatal(err)
	}
	var stillKept bool
	if err := chromedp.Run(ctx, evaluate(fmt.Sprintf(`localStorage.getItem(%q) !== null`, key), &stillKept)); err != nil {
		t.Fatal(err)
	}
	if restored != 0 || after != before || !stillKept {
		t.Errorf("read-only %s: %d restored messages, note %q (stored %q), draft still kept %v", sheet, restored, after, before, stillKept)
	}
}

// Back to a page restored from the browser's back/forward cache loads it again from the
// server: the restored copy showed the state before an action (a returned sheet still
// "Direviu", with Return and Finalize buttons), though the pages are sent no-store.
func TestBrowserBackLoadsThePageAgain(t *testing.T) {
	base := serve(t, newServer(t, web.Config{}))
	ctx := browser(t)
	var kind string
	if err := chromedp.Run(ctx,
		loginActions(base, "camat.sukamaju", demoPassword),
		waitVisible(`#penilaian-sekarang`),
		navigate(base+fmt.Sprintf("/penilaian/%d/zi-2021/sukamaju", demoNow.Year())),
		waitVisible(`#skor`),
		evaluate(`window.__shown = 1`, nil),
		navigate(base+"/"),
		waitVisible(`#penilaian-sekarang`),
		step("going back", chromedp.NavigateBack()),
		step("the sheet loaded again", chromedp.Poll(`window.__shown === undefined && document.querySelector('#skor') !== null`, nil, chromedp.WithPollingTimeout(10*time.Second))),
		evaluate(`performance.getEntriesByType("navigation")[0].type`, &kind),
	); err != nil {
		t.Fatal(err)
	}
	t.Logf("the sheet after Back: navigation %q", kind)
}
