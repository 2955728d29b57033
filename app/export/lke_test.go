package export

import (
	"bytes"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/instrument"
)

// lkeFixture is a ZI sheet: every indicator answered with its best answer by the unit, the
// evaluator agreeing except on a few, notes, evidence and comments on the first indicators.
type lkeFixture struct {
	inst  *instrument.Instrument
	a     *assessment.Assessment
	sheet *assessment.Sheet
	first instrument.Indicator // answered with a note, evidence, review and comment
	ret   instrument.Indicator // returned by the evaluator
	num   instrument.Indicator // answered with a number
}

func bestOf(s instrument.Scale) (string, *float64) {
	switch s.Kind {
	case instrument.KindChoice:
		best := s.Options[0]
		for _, o := range s.Options {
			if o.Value > best.Value {
				best = o
			}
		}
		return best.Key, nil
	case instrument.KindPercent:
		return "", ptr(100)
	}
	return "", ptr(*s.Max)
}

func worstOf(s instrument.Scale) (string, *float64) {
	switch s.Kind {
	case instrument.KindChoice:
		worst := s.Options[0]
		for _, o := range s.Options {
			if o.Value < worst.Value {
				worst = o
			}
		}
		return worst.Key, nil
	case instrument.KindPercent:
		return "", ptr(0)
	}
	return "", ptr(*s.Min)
}

func newLKEFixture(t *testing.T, status assessment.Status, reviewed bool) lkeFixture {
	t.Helper()
	inst := sheetOf(t, "zi-2021")
	inds := inst.Indicators()
	fx := lkeFixture{inst: inst, first: inds[0], ret: inds[2]}
	for _, ind := range inds {
		if inst.Scales[ind.Scale].Kind != instrument.KindChoice {
			fx.num = ind
			break
		}
	}
	if fx.num.Code == "" {
		t.Fatal("zi-2021 has no numeric indicator")
	}
	at := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
	sh := &assessment.Sheet{ID: assessment.ID(2026, inst.ID, "sukamaju")}
	for i, ind := range inds {
		s := inst.Scales[ind.Scale]
		option, v := bestOf(s)
		ans := assessment.Answer{Indicator: ind.Code, Self: &assessment.Response{Option: option, Value: v, By: "operator", At: at}}
		if reviewed {
			rv := &assessment.Review{Option: option, Value: v, Verdict: assessment.VerdictOK, By: "evaluator", At: at}
			if i%7 == 2 {
				rv.Option, rv.Value = worstOf(s)
				rv.Verdict = assessment.VerdictReturned
				rv.Comment = "Bukti belum sesuai"
			}
			ans.Review = rv
		}
		sh.Answers = append(sh.Answers, ans)
	}
	first := sh.Answer(fx.first.Code)
	first.Self.Note = "SK ditandatangani camat"
	first.Evidence = []assessment.Evidence{
		{ID: "e1", Kind: "file", Name: "SK Tim ZI.pdf", By: "operator", At: at},
		{ID: "e2", Kind: "link", Name: "Berita", URL: "https://sukamaju.example.go.id/zi", By: "operator", At: at},
	}
	if reviewed {
		first.Review.Comment = "Sudah lengkap"
	}
	a := &assessment.Assessment{ID: sh.ID, Period: 2026, Instrument: inst.ID, Unit: "sukamaju", Flow: assessment.Flow{Status: status}}
	if err := assessment.Rescore(inst, a, sh, nil); err != nil {
		t.Fatalf("Rescore: %v", err)
	}
	fx.a, fx.sheet = a, sh
	return fx
}

func writeLKE(t *testing.T, fx lkeFixture) *excelize.File {
	t.Helper()
	info := SheetInfo{UnitName: "Kecamatan Sukamaju", Year: 2026, Status: fx.a.Status.Label(),
		Generated: time.Date(2026, 11, 23, 10, 30, 0, 0, time.UTC)}
	var buf bytes.Buffer
	if err := WriteLKE(&buf, fx.inst, fx.a, fx.sheet, info); err != nil {
		t.Fatalf("WriteLKE: %v", err)
	}
	return open(t, buf.Bytes())
}

// rowsByCode maps the codes of column A of a sheet to their 1-based row, failing on a repeat.
func rowsByCode(t *testing.T, f *excelize.File, sheet string) map[string]int {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for i, r := range rows {
		if len(r) == 0 || r[0] == "" {
			continue
		}
		if prev, ok := out[r[0]]; ok {
			t.Errorf("%s: %q on rows %d and %d", sheet, r[0], prev, i+1)
		}
		out[r[0]] = i + 1
	}
	return out
}

// near compares numbers that Excel keeps to 15 significant digits.
func near(a, b float64) bool { return math.Abs(a-b) <= 1e-12*math.Max(1, math.Abs(b)) }

func cell(col string, row int) string { return col + strconv.Itoa(row) }

func TestWriteLKE(t *testing.T) {
	fx := newLKEFixture(t, assessment.Final, true)
	if fx.a.Final == nil || fx.a.Final.Total == fx.a.Self.Total {
		t.Fatalf("fixture: want a final snapshot that differs from self, got self %v final %+v", fx.a.Self.Total, fx.a.Final)
	}
	f := writeLKE(t, fx)
	// A final sheet carries its evaluation report (LHE) as a third sheet.
	if got, want := f.GetSheetList(), []string{"LKE", "Rekap", "LHE"}; !slices.Equal(got, want) {
		t.Fatalf("sheets = %q, want %q", got, want)
	}

	textCell(t, f, "LKE", "A1", fx.inst.Title)
	textCell(t, f, "LKE", "B3", "Kecamatan Sukamaju")
	if got := number(t, f, "LKE", "B4"); got != 2026 {
		t.Errorf("Tahun = %v", got)
	}
	textCell(t, f, "LKE", "B5", "Final")
	textCell(t, f, "LKE", "B6", "23-11-2026 10:30")
	if got := number(t, f, "LKE", "B7"); got != fx.a.Self.Total {
		t.Errorf("Nilai mandiri = %v, want %v", got, fx.a.Self.Total)
	}
	if got := number(t, f, "LKE", "B8"); got != fx.a.Final.Total {
		t.Errorf("Nilai akhir = %v, want %v", got, fx.a.Final.Total)
	}
	for i, c := range lkeColumns {
		name, _ := excelize.CoordinatesToCellName(i+1, lkeHeaderRow)
		textCell(t, f, "LKE", name, c.title)
	}
	if panes, err := f.GetPanes("LKE"); err != nil || !panes.Freeze || panes.YSplit != lkeHeaderRow {
		t.Errorf("LKE panes = %+v (%v), want frozen below the header", panes, err)
	}

	rows := rowsByCode(t, f, "LKE")
	for _, ind := range fx.inst.Indicators() {
		if _, ok := rows[ind.Code]; !ok {
			t.Errorf("indicator %s missing from LKE", ind.Code)
		}
	}
	fx.inst.Walk(func(area *instrument.Area, _ int) {
		r, ok := rows[area.Code]
		if !ok {
			t.Errorf("area %s missing from LKE", area.Code)
			return
		}
		if got := number(t, f, "LKE", cell("C", r)); !near(got, fx.inst.Points(area)) {
			t.Errorf("Bobot %s = %v, want %v", area.Code, got, fx.inst.Points(area))
		}
		if got := number(t, f, "LKE", cell("F", r)); got != fx.a.Self.Node(area.Code) {
			t.Errorf("Nilai mandiri %s = %v, want %v", area.Code, got, fx.a.Self.Node(area.Code))
		}
		if got := number(t, f, "LKE", cell("J", r)); got != fx.a.Final.Node(area.Code) {
			t.Errorf("Nilai akhir %s = %v, want %v", area.Code, got, fx.a.Final.Node(area.Code))
		}
		if ind := area.Indicators; len(ind) > 0 && rows[ind[0].Code] != r+1 {
			t.Errorf("first indicator of %s on row %d, want %d", area.Code, rows[ind[0].Code], r+1)
		}
	})

	first := fx.sheet.Answer(fx.first.Code)
	r := rows[fx.first.Code]
	textCell(t, f, "LKE", cell("B", r), fx.first.Text)
	// The options with the LKE's criterion of each, one per line.
	var want []string
	for _, c := range fx.inst.Choices(fx.first.Code) {
		want = append(want, c.Key+": "+c.Text)
	}
	if len(want) < 2 {
		t.Fatalf("fixture: %s has no criteria", fx.first.Code)
	}
	textCell(t, f, "LKE", cell("D", r), strings.Join(want, "\n"))
	textCell(t, f, "LKE", cell("E", r), first.Self.Option)
	textCell(t, f, "LKE", cell("G", r), "SK ditandatangani camat")
	textCell(t, f, "LKE", cell("H", r), "SK Tim ZI.pdf; Berita (https://sukamaju.example.go.id/zi)")
	textCell(t, f, "LKE", cell("I", r), first.Review.Option)
	textCell(t, f, "LKE", cell("K", r), "Sudah lengkap")
	textCell(t, f, "LKE", cell("L", r), "Sesuai")

	ret := fx.sheet.Answer(fx.ret.Code)
	r = rows[fx.ret.Code]
	textCell(t, f, "LKE", cell("L", r), "Dikembalikan")
	textCell(t, f, "LKE", cell("K", r), "Bukti belum sesuai")
	textCell(t, f, "LKE", cell("H", r), "")
	if ret.Review.Option != "" {
		textCell(t, f, "LKE", cell("I", r), ret.Review.Option)
	}

	num := fx.sheet.Answer(fx.num.Code)
	r = rows[fx.num.Code]
	if got := number(t, f, "LKE", cell("E", r)); got != *num.Self.Value {
		t.Errorf("numeric answer %s = %v, want %v", fx.num.Code, got, *num.Self.Value)
	}

	// Rekap: root and second-level areas, then totals and predicates.
	rekap := rowsByCode(t, f, "Rekap")
	fx.inst.Walk(func(area *instrument.Area, depth int) {
		r, ok := rekap[area.Code]
		if ok != (depth <= 1) {
			t.Errorf("Rekap has %s: %v, want %v", area.Code, ok, depth <= 1)
		}
		if !ok {
			return
		}
		if got := number(t, f, "Rekap", cell("D", r)); got != fx.a.Self.Node(area.Code) {
			t.Errorf("Rekap self %s = %v, want %v", area.Code, got, fx.a.Self.Node(area.Code))
		}
		if got, want := number(t, f, "Rekap", cell("E", r)), fx.a.Self.Node(area.Code)/fx.inst.Points(area); !near(got, want) {
			t.Errorf("Rekap self %% %s = %v, want %v", area.Code, got, want)
		}
		if got := number(t, f, "Rekap", cell("F", r)); got != fx.a.Final.Node(area.Code) {
			t.Errorf("Rekap final %s = %v, want %v", area.Code, got, fx.a.Final.Node(area.Code))
		}
	})
	total, ok := rekap["Total"]
	if !ok {
		t.Fatal("Rekap has no Total row")
	}
	if got := number(t, f, "Rekap", cell("D", total)); got != fx.a.Self.Total {
		t.Errorf("Rekap self total = %v, want %v", got, fx.a.Self.Total)
	}
	if got := number(t, f, "Rekap", cell("F", total)); got != fx.a.Final.Total {
		t.Errorf("Rekap final total = %v, want %v", got, fx.a.Final.Total)
	}
	for _, p := range fx.inst.Predicates {
		r, ok := rekap[p.Key]
		if !ok {
			t.Errorf("Rekap has no %s row", p.Key)
			continue
		}
		textCell(t, f, "Rekap", cell("D", r), yesNoText(fx.a.Self.Predicates[p.Key]))
		textCell(t, f, "Rekap", cell("F", r), yesNoText(fx.a.Final.Predicates[p.Key]))
	}
	if !fx.a.Self.Predicates["WBK"] {
		t.Error("fixture: all-best self answers should earn WBK")
	}
}

// Without a final snapshot the final columns stay empty.
func TestWriteLKEDraft(t *testing.T) {
	fx := newLKEFixture(t, assessment.Draft, false)
	if fx.a.Final != nil {
		t.Fatal("fixture: draft without reviews has a final snapshot")
	}
	f := writeLKE(t, fx)
	textCell(t, f, "LKE", "B8", "")
	textCell(t, f, "LKE", "C8", "belum ada nilai akhir")
	rows := rowsByCode(t, f, "LKE")
	for _, root := range fx.inst.Areas {
		textCell(t, f, "LKE", cell("J", rows[root.Code]), "")
	}
	r := rows[fx.first.Code]
	textCell(t, f, "LKE", cell("I", r), "")
	textCell(t, f, "LKE", cell("L", r), "")
	rekap := rowsByCode(t, f, "Rekap")
	textCell(t, f, "Rekap", cell("F", rekap["Total"]), "")
	textCell(t, f, "Rekap", cell("F", rekap["WBK"]), "")
	if got := number(t, f, "Rekap", cell("D", rekap["Total"])); got != fx.a.Self.Total {
		t.Errorf("Rekap self total = %v, want %v", got, fx.a.Self.Total)
	}
}

// An instrument with grades shows them on both sheets.
func TestWriteLKEGrades(t *testing.T) {
	inst := sheetOf(t, "sakip-2021")
	sh := &assessment.Sheet{ID: assessment.ID(2026, inst.ID, "sukamaju")}
	for _, ind := range inst.Indicators() {
		option, v := bestOf(inst.Scales[ind.Scale])
		sh.Answers = append(sh.Answers, assessment.Answer{Indicator: ind.Code,
			Self:   &assessment.Response{Option: option, Value: v},
			Review: &assessment.Review{Option: option, Value: v, Verdict: assessment.VerdictOK}})
	}
	a := &assessment.Assessment{ID: sh.ID, Flow: assessment.Flow{Status: assessment.Final}}
	if err := assessment.Rescore(inst, a, sh, nil); err != nil {
		t.Fatal(err)
	}
	if a.Self.Grade == "" {
		t.Fatal("fixture: no grade")
	}
	f := writeLKE(t, lkeFixture{inst: inst, a: a, sheet: sh})
	shown, _ := cellAt(t, f, "LKE", "C7")
	if !strings.HasPrefix(shown, "Kategori: "+a.Self.Grade+" (") {
		t.Errorf("LKE!C7 = %q, want the self grade with its label", shown)
	}
	rekap := rowsByCode(t, f, "Rekap")
	textCell(t, f, "Rekap", cell("D", rekap["Kategori"]), a.Self.Grade)
	textCell(t, f, "Rekap", cell("F", rekap["Kategori"]), a.Final.Grade)
}

func TestWriteLKENil(t *testing.T) {
	var buf bytes.Buffer
	if err := WriteLKE(&buf, nil, nil, nil, SheetInfo{}); err == nil {
		t.Error("WriteLKE(nil…): no error")
	}
}
