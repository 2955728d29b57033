package server

import (
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/rapor-rb/raporrb/app/web"
)

// The catalog's codes in the list, names out of it.
func TestRawCodesList(t *testing.T) {
	t.Parallel()
	codes := rawCodes(catalog)
	for _, c := range []string{"P.MP", "H.BA.IPAK", "P.MP.PM.1.a", "F02.KB.01.a", "zi-2021", "SIAP_CATATAN", "BELUM_SIAP",
		"TATAP_MUKA", "perlu_perbaikan", "returned", "belum_diisi", "opini_bpk", "application/pdf", "docs/path.md"} {
		if !codes[c] {
			t.Errorf("%s is not in the list of raw codes", c)
		}
	}
	for _, w := range []string{"WBK", "WBBM", "BB", "A-", "IKM", "final", "draf", "A", "Ya"} {
		if codes[w] {
			t.Errorf("%s is a name, not a code", w)
		}
	}
	found := findCodes(codes, "Status: perlu_perbaikan · Nilai P.MP 4,80. Predikat WBK.")
	if len(found) != 2 || !strings.Contains(found[0], `"P.MP"`) || !strings.Contains(found[1], `"perlu_perbaikan"`) {
		t.Errorf("findCodes = %q", found)
	}
}

// A new camat and a bupati read names, not codes: the sheet (criteria beside every option, the
// PEKPPP descriptors), the dashboard (charts with decimal commas, no "ke WBK" for a unit that
// holds WBBM), the drill-down (one plan with steps and survey minimums, the proposal checklist)
// and the rapor.
func TestBrowserNamesNotCodes(t *testing.T) {
	srv := newServer(t, web.Config{})
	base := serve(t, srv)
	codes := rawCodes(catalog)
	zi, _ := catalog.Get("zi-2021")

	ctx := browser(t)
	var options []string
	var descriptors int
	if err := chromedp.Run(ctx, loginActions(base, "camat.sukamaju", demoPassword), waitVisible(`#penilaian-sekarang`),
		navigate(base+"/penilaian/2026/zi-2021/sukamaju"), waitVisible(`#skor`),
		noRawCodes(codes, "the ZI sheet"),
		evaluate(`Array.from(document.querySelectorAll('[id="ind-P.MP.PM.1.b"] .option')).map(l => l.innerText.trim())`, &options),
		navigate(base+"/penilaian/2026/pekppp-2022/sukamaju"), waitVisible(`#skor`),
		noRawCodes(codes, "the PEKPPP sheet"),
		evaluate(`document.querySelectorAll('[id="ind-F02.KB.01.a"] .descriptors li').length`, &descriptors),
		navigate(base+"/penilaian/2026/new-normal-2020/sukamaju"), waitVisible(`#skor`),
		noRawCodes(codes, "the New Normal sheet"),
		navigate(base+"/"), waitVisible(`#penilaian-sekarang`),
		noRawCodes(codes, "the camat's home"),
	); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, c := range zi.Choices("P.MP.PM.1.b") {
		want = append(want, c.Key+" "+c.Text)
	}
	if strings.Join(options, "|") != strings.Join(want, "|") {
		t.Errorf("options of P.MP.PM.1.b = %q, want the LKE's criteria %q", options, want)
	}
	if descriptors != 6 {
		t.Errorf("PEKPPP F02.KB.01.a shows %d descriptors, want 0–5", descriptors)
	}

	// The bupati: a mixed plan (steps and a survey minimum) to open, and a WBBM unit.
	api := login(t, srv, "bupati")
	var mixed, wbbm, wbkOnly string
	for _, r := range rankingRows(t, api, "zi-2021") {
		unit := r["unit"].(string)
		preds, _ := r["predicates"].(map[string]any)
		switch {
		case preds["WBBM"] == true:
			wbbm = unit
		case preds["WBK"] == true:
			wbkOnly = unit
		case mixed == "":
			p := api.mustGet(fmt.Sprintf("/api/v1/paths/2026/zi-2021/%s?target=WBK", unit))["path"].(map[string]any)
			if s, _ := p["steps"].([]any); len(s) > 0 {
				if v, _ := p["survey"].([]any); len(v) > 0 {
					mixed = unit
				}
			}
		}
	}
	if mixed == "" || wbbm == "" || wbkOnly == "" {
		t.Fatalf("demo: mixed plan %q, WBBM unit %q, WBK-only unit %q", mixed, wbbm, wbkOnly)
	}

	ctx = browser(t)
	var formatted map[string]string
	var wbbmLink, wbbmDone, wbkLink string
	if err := chromedp.Run(ctx, loginActions(base, "bupati", demoPassword),
		waitVisible(`#tabel-zi-2021`), drawCharts(),
		noRawCodes(codes, "the dashboard"),
		// The live charts' formatters write decimal commas (charts.js).
		evaluate(`(() => {
			const opt = id => echarts.getInstanceByDom(document.querySelector('[data-chart="' + id + '"]')).getOption();
			const rank = opt('peringkat-zi-2021'), heat = opt('peta-panas'), prog = opt('kemajuan');
			return {
				axis: rank.xAxis[0].axisLabel.formatter(62.5),
				tooltip: rank.tooltip[0].valueFormatter(75.25),
				label: rank.series[0].label.formatter({value: 74.99}),
				heat: heat.series[0].label.formatter({value: [0, 1, 66.67]}),
				heatTip: heat.tooltip[0].valueFormatter([0, 1, 88.88]),
				progress: prog.xAxis[0].axisLabel.formatter(40.5),
				mark: rank.series[0].markLine.data.map(d => d.name).join(' / '),
			};
		})()`, &formatted),
		evaluate(fmt.Sprintf(`(document.querySelector('#tabel-zi-2021 tr[data-unit="%s"] a.path-link') || {}).textContent || ''`, wbbm), &wbbmLink),
		evaluate(fmt.Sprintf(`(document.querySelector('#tabel-zi-2021 tr[data-unit="%s"] .path-done') || {}).textContent || ''`, wbbm), &wbbmDone),
		evaluate(fmt.Sprintf(`(document.querySelector('#tabel-zi-2021 tr[data-unit="%s"] a.path-link') || {}).textContent || ''`, wbkOnly), &wbkLink),
	); err != nil {
		t.Fatal(err)
	}
	for k, want := range map[string]string{"axis": "62,5", "tooltip": "75,25", "label": "74,99", "heat": "66,67",
		"heatTip": "88,88", "progress": "40,5%", "mark": "WBBM 85 / WBK 75"} {
		if formatted[k] != want {
			t.Errorf("chart formatter %s = %q, want %q", k, formatted[k], want)
		}
	}
	if wbbmLink != "" || wbbmDone != "WBBM tercapai" || wbkLink != "ke WBBM" {
		t.Errorf("path links: WBBM unit %q / %q, WBK unit %q; want no link and \"WBBM tercapai\", and \"ke WBBM\"", wbbmLink, wbbmDone, wbkLink)
	}

	var survey, checklist string
	var steps int
	if err := chromedp.Run(ctx,
		navigate(fmt.Sprintf("%s/dasbor/2026/zi-2021/%s?target=WBK", base, mixed)), waitVisible(`#jalur-WBK .path-survey`),
		noRawCodes(codes, "the drill-down of "+mixed),
		text(`#jalur-WBK .path-survey`, &survey),
		evaluate(`document.querySelectorAll('#jalur-WBK .path-steps tbody tr').length`, &steps),
		text(`#syarat-pengusulan`, &checklist),
		navigate(base+"/dasbor/2026/new-normal-2020/sukamaju"), waitVisible(`#jalur`),
		noRawCodes(codes, "the New Normal drill-down"),
		navigate(base+"/dasbor/2026/pekppp-2022/sukamaju"), waitVisible(`#jalur`),
		noRawCodes(codes, "the PEKPPP drill-down"),
		navigate(base+"/rapor/2026/"+mixed), waitVisible(`#rapor-ringkas`),
		noRawCodes(codes, "the rapor of "+mixed),
	); err != nil {
		t.Fatal(err)
	}
	if steps == 0 || !strings.Contains(survey, "minimal") || !strings.Contains(survey, ",") {
		t.Errorf("mixed plan of %s: %d steps, survey %q; want steps and a minimum with a decimal comma", mixed, steps, survey)
	}
	if !strings.Contains(checklist, "Belum dikonfirmasi dalam teks peraturan") || !strings.Contains(checklist, "Opini BPK") {
		t.Errorf("proposal checklist = %q", checklist)
	}
}
