package server

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/rapor-rb/raporrb/app/web"
)

// chartInfo is what the page reports of one rendered chart.
type chartInfo struct {
	ID     string `json:"id"`
	Canvas bool   `json:"canvas"`
	Series []int  `json:"series"` // data entries per series
}

// The bupati's journey: the dashboard draws every chart from the server's options, its tables
// hold the API's numbers, and a kecamatan's drill-down and path to WBK open from the ranking.
func TestBrowserDashboard(t *testing.T) {
	srv := newServer(t, web.Config{})
	base := serve(t, srv)
	ctx := browser(t)
	units := demoRes.Units - 1 // the kecamatan, without the kabupaten

	if err := chromedp.Run(ctx, loginActions(base, "bupati", demoPassword),
		waitVisible(`#tabel-zi-2021`),
		drawCharts(), // each chart is drawn as it scrolls into view
	); err != nil {
		t.Fatal(err)
	}

	// Every chart is drawn on a canvas; the comparison charts hold one entry per kecamatan.
	var charts []chartInfo
	if err := chromedp.Run(ctx, evaluate(`Array.from(document.querySelectorAll('[data-chart]')).map(el => {
		const c = echarts.getInstanceByDom(el);
		return {id: el.dataset.chart, canvas: !!el.querySelector('canvas'),
			series: c ? c.getOption().series.map(s => (s.data || []).length) : []};
	})`, &charts)); err != nil {
		t.Fatal(err)
	}
	seen := map[string]chartInfo{}
	for _, c := range charts {
		seen[c.ID] = c
		if !c.Canvas || len(c.Series) == 0 {
			t.Errorf("chart %s: canvas %v, series %v", c.ID, c.Canvas, c.Series)
		}
	}
	perUnit := []string{"komposit", "mandiri-akhir", "kemajuan"}
	for _, id := range []string{"zi-2021", "sakip-2021", "pekppp-2022", "ikm-2017", "new-normal-2020"} {
		perUnit = append(perUnit, "peringkat-"+id)
	}
	for _, id := range perUnit {
		c, ok := seen[id]
		if !ok {
			t.Errorf("chart %s missing; have %v", id, charts)
			continue
		}
		for i, n := range c.Series {
			if n != units {
				t.Errorf("chart %s series %d has %d entries, want one per kecamatan (%d)", id, i, n, units)
			}
		}
	}
	if c := seen["peta-panas"]; len(c.Series) != 1 || c.Series[0]%units != 0 || c.Series[0] == 0 {
		t.Errorf("heatmap cells = %v, want kecamatan × areas", c.Series)
	}
	if c := seen["radar"]; len(c.Series) != 5 {
		t.Errorf("radar = %v, want the top five kecamatan", c.Series)
	}
	if c := seen["tren"]; len(c.Series) != 6 || c.Series[0] != 3 {
		t.Errorf("trend = %v, want five kecamatan and the mean over three years", c.Series)
	}

	// The table view of each ranking holds the numbers of GET /api/v1/rankings, in order.
	api := login(t, srv, "bupati")
	for _, id := range []string{"zi-2021", "sakip-2021", "pekppp-2022", "ikm-2017", "new-normal-2020"} {
		var table []struct {
			Unit  string `json:"unit"`
			Rank  string `json:"rank"`
			Score string `json:"score"`
		}
		if err := chromedp.Run(ctx, evaluate(fmt.Sprintf(`Array.from(document.querySelectorAll('#tabel-%s tbody tr')).map(tr => ({
			unit: tr.dataset.unit, rank: tr.cells[0].textContent.trim(), score: tr.querySelector('.score').textContent.trim()}))`, id), &table)); err != nil {
			t.Fatal(err)
		}
		st, body := api.do("GET", "/api/v1/rankings?period=2026&instrument="+id, "")
		rows, _ := body["rows"].([]any)
		if st != 200 || len(rows) != len(table) || len(rows) != units {
			t.Fatalf("%s: API %d with %d rows, table %d rows", id, st, len(rows), len(table))
		}
		for i, r := range rows {
			row := r.(map[string]any)
			want := strings.Replace(fmt.Sprintf("%.2f", math.Round(row["score"].(float64)*100)/100), ".", ",", 1)
			if table[i].Unit != row["unit"] || table[i].Score != want || table[i].Rank != fmt.Sprint(row["rank"]) {
				t.Errorf("%s row %d: table %+v, API %v %v rank %v", id, i, table[i], row["unit"], want, row["rank"])
			}
		}
	}

	var buf []byte
	if err := chromedp.Run(ctx, chromedp.FullScreenshot(&buf, 100)); err != nil {
		t.Fatal(err)
	}
	shot := filepath.Join(os.TempDir(), "raporrb-dashboard.png")
	if err := os.WriteFile(shot, buf, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("dashboard screenshot: %s", shot)

	// The drill-down opens from the ranking: areas, weakest indicators, history, paths.
	var title string
	var paths int
	if err := chromedp.Run(ctx,
		click(`#tabel-zi-2021 tbody tr:first-child a.drill`),
		waitVisible(`#jalur`),
		drawCharts(),
		text(`h1`, &title),
		evaluate(`document.querySelectorAll('#jalur article.path').length`, &paths),
	); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(title, "Zona Integritas") || paths != 2 {
		t.Errorf("drill-down %q with %d paths, want WBK and WBBM", title, paths)
	}

	// The path-to-WBK link of a kecamatan that is not there yet opens its plan: the steps, or
	// why answers alone cannot reach it.
	var target, plan, href string
	var ok bool
	if err := chromedp.Run(ctx,
		navigate(base+"/dasbor?tahun=2026"),
		waitVisible(`#tabel-zi-2021`),
		attribute(`#tabel-zi-2021 tbody tr:last-child a.path-link`, "href", &href, &ok),
	); err != nil {
		t.Fatal(err)
	}
	t.Logf("path link %q", href)
	if err := chromedp.Run(ctx,
		click(`#tabel-zi-2021 tbody tr:last-child a.path-link`),
		waitVisible(`#jalur-WBK.path-target`),
		attribute(`#jalur-WBK`, "data-target", &target, nil),
		text(`#jalur-WBK`, &plan),
	); err != nil {
		t.Fatal(err)
	}
	if target != "WBK" || !(strings.Contains(plan, "indikator perlu diperbaiki") || strings.Contains(plan, "Tidak dapat dicapai")) {
		t.Errorf("path view %q: %q", target, plan)
	}

	// The printable rapor prints to a PDF without the navigation.
	var pdf []byte
	if err := chromedp.Run(ctx,
		navigate(base+"/rapor/2026/sukamaju"),
		waitVisible(`#rapor-ringkas`),
		chromedp.ActionFunc(func(ctx2 context.Context) error {
			var err error
			pdf, _, err = cdppage.PrintToPDF().WithPrintBackground(true).Do(ctx2)
			return err
		}),
	); err != nil {
		t.Fatal(err)
	}
	if len(pdf) < 1000 || string(pdf[:4]) != "%PDF" {
		t.Errorf("rapor PDF: %d bytes", len(pdf))
	}
	_ = os.WriteFile(filepath.Join(os.TempDir(), "raporrb-rapor.pdf"), pdf, 0o644)
}
