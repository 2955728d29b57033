package export

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/instrument"
	rnum "github.com/rapor-rb/raporrb/app/num"
)

// SheetInfo is what the LKE's header shows besides the instrument and the scores.
type SheetInfo struct {
	UnitName  string
	Year      int
	Status    string // label, e.g. "Final"
	Generated time.Time
	// Team names the evaluators ("Nama (ketua tim)"), and Finalizer the one who finalized:
	// the LHE sheet of a final assessment shows them.
	Team      []string
	Finalizer string
}

// Sheet names of the LKE workbook.
const (
	lkeSheet   = "LKE"
	rekapSheet = "Rekap"
	lheSheet   = "LHE"
)

// Columns of the "LKE" sheet. Area rows fill Bobot and the two Nilai columns; indicator rows
// fill the answer, note, evidence and verdict columns.
const (
	colCode = iota + 1
	colText
	colPoints
	colOptions
	colSelfAnswer
	colSelfScore
	colNote
	colEvidence
	colReviewAnswer
	colFinalScore
	colComment
	colVerdict
)

// lkeColumns are the header and width (in characters) of each column, in order; wrap marks the
// long text columns.
var lkeColumns = []struct {
	title string
	width float64
	wrap  bool
}{
	{"Kode", 16, false},
	{"Komponen/Indikator", 60, true},
	{"Bobot", 9, false},
	{"Pilihan jawaban dan kriteria", 48, true},
	{"Jawaban mandiri", 11, false},
	{"Nilai mandiri", 10, false},
	{"Catatan", 36, true},
	{"Bukti", 36, true},
	{"Jawaban evaluator", 11, false},
	{"Nilai akhir", 10, false},
	{"Catatan evaluator", 36, true},
	{"Status", 13, false},
}

// lkeHeaderRow is the row of the column titles, below the information block.
const lkeHeaderRow = 10

// Fills of the LKE: non-leaf areas, leaf areas, column titles.
const (
	fillGroup  = "#DDEBF7"
	fillLeaf   = "#F2F2F2"
	fillHeader = "#D9E1F2"
)

// WriteLKE writes one unit's sheet as a workbook close to the official Lembar Kerja Evaluasi:
// "LKE" holds an information block (instrument, regulation, unit, year, status, self and final
// totals with their grades), then one row per area in sheet order (indented by depth, bold when
// it has sub-areas) with its points and self and final scores, each leaf area followed by its
// indicators with the unit's answer, note and evidence and the evaluator's answer, comment and
// verdict. "Rekap" lists the root and second-level areas with their scores and share of points,
// then the totals, grades and predicates. The scores are read from a's snapshots, so a must have
// been rescored from sh; final columns stay empty while a.Final is nil.
func WriteLKE(w io.Writer, inst *instrument.Instrument, a *assessment.Assessment, sh *assessment.Sheet, info SheetInfo) error {
	if inst == nil || a == nil || sh == nil {
		return errors.New("export: lke: instrument, assessment and sheet are required")
	}
	b := newBook()
	defer b.close()
	if err := writeLKESheet(b, inst, a, sh, info); err != nil {
		return fmt.Errorf("export: lke %s: %w", a.ID, err)
	}
	if err := writeRekap(b, inst, a, info); err != nil {
		return fmt.Errorf("export: lke %s: rekap: %w", a.ID, err)
	}
	if a.Status == assessment.Final && a.Final != nil {
		if err := writeLHE(b, inst, a, sh, info); err != nil {
			return fmt.Errorf("export: lke %s: lhe: %w", a.ID, err)
		}
	}
	title := fmt.Sprintf("LKE %s %s %d", inst.Title, info.UnitName, info.Year)
	if err := b.f.SetDocProps(&excelize.DocProperties{Title: title, Creator: "Rapor RB", Language: "id-ID"}); err != nil {
		return fmt.Errorf("export: lke %s: properties: %w", a.ID, err)
	}
	if err := b.write(w); err != nil {
		return fmt.Errorf("export: lke %s: %w", a.ID, err)
	}
	return nil
}

// cellRow is one row of a sheet, written cell by cell.
type cellRow struct {
	b     *book
	sheet string
	row   int
	err   error
}

// put writes a cell unless an earlier one failed.
func (r *cellRow) put(col int, v value, l look) {
	if r.err == nil {
		r.err = r.b.set(r.sheet, col, r.row, v, l)
	}
}

func writeLKESheet(b *book, inst *instrument.Instrument, a *assessment.Assessment, sh *assessment.Sheet, info SheetInfo) error {
	if err := b.addSheet(lkeSheet); err != nil {
		return err
	}
	if err := writeLKEInfo(b, inst, a, info); err != nil {
		return err
	}
	for i, c := range lkeColumns {
		if err := b.width(lkeSheet, i+1, c.width); err != nil {
			return err
		}
		l := look{bold: true, wrap: true, border: true, fill: fillHeader, horizontal: "center"}
		if err := b.set(lkeSheet, i+1, lkeHeaderRow, textOf(c.title), l); err != nil {
			return err
		}
	}

	answers := make(map[string]*assessment.Answer, len(sh.Answers))
	for i := range sh.Answers {
		answers[sh.Answers[i].Indicator] = &sh.Answers[i]
	}
	r := &cellRow{b: b, sheet: lkeSheet, row: lkeHeaderRow}
	inst.Walk(func(area *instrument.Area, depth int) {
		r.row++
		areaRow(r, inst, a, area, depth)
		for _, ind := range area.Indicators {
			r.row++
			indicatorRow(r, inst, ind, answers[ind.Code], depth+1)
		}
	})
	if r.err != nil {
		return r.err
	}
	if err := b.freeze(lkeSheet, colText, lkeHeaderRow); err != nil {
		return fmt.Errorf("freeze header: %w", err)
	}
	last, err := excelize.CoordinatesToCellName(len(lkeColumns), r.row)
	if err != nil {
		return err
	}
	if err := b.f.AutoFilter(lkeSheet, fmt.Sprintf("A%d:%s", lkeHeaderRow, last), nil); err != nil {
		return fmt.Errorf("autofilter: %w", err)
	}
	landscape, a4 := "landscape", 9
	if err := b.f.SetPageLayout(lkeSheet, &excelize.PageLayoutOptions{Orientation: &landscape, Size: &a4}); err != nil {
		return fmt.Errorf("page layout: %w", err)
	}
	return nil
}

// writeLKEInfo writes the information block above the LKE's columns.
func writeLKEInfo(b *book, inst *instrument.Instrument, a *assessment.Assessment, info SheetInfo) error {
	generated := value{}
	if !info.Generated.IsZero() {
		generated = textOf(info.Generated.Format("02-01-2006 15:04"))
	}
	year := value{}
	if info.Year != 0 {
		year = integerOf(int64(info.Year))
	}
	selfGrade, finalTotal, finalGrade := gradeText(inst, a.Self.Grade), value{}, textOf("belum ada nilai akhir")
	if a.Final != nil {
		finalTotal, finalGrade = floatValue(a.Final.Total), gradeText(inst, a.Final.Grade)
	}
	label := look{bold: true}
	left := look{horizontal: "left"}
	lines := []struct {
		label string
		v     value
		l     look
		note  value
	}{
		{"Regulasi", textOf(inst.Regulation), look{}, value{}},
		{"Unit kerja", textOf(info.UnitName), look{bold: true}, value{}},
		{"Tahun", year, left, value{}},
		{"Status", textOf(info.Status), look{}, value{}},
		{"Dicetak", generated, look{}, value{}},
		{"Nilai mandiri", floatValue(a.Self.Total), look{bold: true, horizontal: "left", numFmt: fmtDecimal}, selfGrade},
		{"Nilai akhir", finalTotal, look{bold: true, horizontal: "left", numFmt: fmtDecimal}, finalGrade},
	}
	if err := b.set(lkeSheet, colCode, 1, textOf(inst.Title), look{bold: true, size: 14}); err != nil {
		return err
	}
	for i, line := range lines {
		r := &cellRow{b: b, sheet: lkeSheet, row: i + 2}
		r.put(colCode, textOf(line.label), label)
		r.put(colText, line.v, line.l)
		r.put(colPoints, line.note, look{italic: true})
		if r.err != nil {
			return r.err
		}
	}
	return nil
}

// gradeText is a grade with its label, "BB (Sangat Baik)", or empty.
func gradeText(inst *instrument.Instrument, key string) value {
	if key == "" {
		return value{}
	}
	name := inst.GradeDisplay(key)
	for _, g := range inst.Grades {
		if g.Key == key && g.Label != "" && g.Label != name {
			return textOf("Kategori: " + name + " (" + g.Label + ")")
		}
	}
	return textOf("Kategori: " + name)
}

// areaRow writes an area's code, title, points and scores.
func areaRow(r *cellRow, inst *instrument.Instrument, a *assessment.Assessment, area *instrument.Area, depth int) {
	base := look{border: true, bold: !area.IsLeaf(), fill: fillLeaf}
	if !area.IsLeaf() {
		base.fill = fillGroup
	}
	num := base
	num.numFmt = fmtDecimal
	title := base
	title.wrap, title.indent = true, depth

	final := value{}
	if a.Final != nil {
		final = floatValue(a.Final.Node(area.Code))
	}
	r.put(colCode, textOf(area.Code), base)
	r.put(colText, textOf(area.Title), title)
	r.put(colPoints, floatValue(inst.Points(area)), num)
	r.put(colOptions, value{}, base)
	r.put(colSelfAnswer, value{}, base)
	r.put(colSelfScore, floatValue(a.Self.Node(area.Code)), num)
	r.put(colNote, value{}, base)
	r.put(colEvidence, value{}, base)
	r.put(colReviewAnswer, value{}, base)
	r.put(colFinalScore, final, num)
	r.put(colComment, value{}, base)
	r.put(colVerdict, value{}, base)
}

// indicatorRow writes an indicator with the unit's and the evaluator's answers.
func indicatorRow(r *cellRow, inst *instrument.Instrument, ind instrument.Indicator, ans *assessment.Answer, depth int) {
	var selfAnswer, note, evidence, reviewAnswer, comment, verdict value
	if ans != nil {
		if s := ans.Self; s != nil {
			selfAnswer, note = answerValue(s.Option, s.Value), textOf(s.Note)
		}
		if rv := ans.Review; rv != nil {
			reviewAnswer, comment, verdict = answerValue(rv.Option, rv.Value), textOf(rv.Comment), textOf(verdictLabel(rv.Verdict))
		}
		evidence = textOf(evidenceText(ans.Evidence))
	}
	cell := look{border: true}
	wrap := look{border: true, wrap: true}
	center := look{border: true, horizontal: "center"}
	r.put(colCode, textOf(ind.Code), cell)
	r.put(colText, textOf(ind.Text), look{border: true, wrap: true, indent: depth})
	r.put(colPoints, value{}, cell)
	r.put(colOptions, textOf(optionsText(inst, ind)), wrap)
	r.put(colSelfAnswer, selfAnswer, center)
	r.put(colSelfScore, value{}, cell)
	r.put(colNote, note, wrap)
	r.put(colEvidence, evidence, wrap)
	r.put(colReviewAnswer, reviewAnswer, center)
	r.put(colFinalScore, value{}, cell)
	r.put(colComment, comment, wrap)
	r.put(colVerdict, verdict, cell)
}

// answerValue is an option key, a number, or nothing.
func answerValue(option string, v *float64) value {
	if option != "" {
		return textOf(option)
	}
	return floatPtr(v)
}

// verdictLabel is an evaluator's verdict as the LKE shows it.
func verdictLabel(v assessment.Verdict) string {
	switch v {
	case assessment.VerdictOK:
		return "Sesuai"
	case assessment.VerdictReturned:
		return "Dikembalikan"
	}
	return ""
}

// evidenceText lists the evidence names, links with their address: "SK.pdf; Berita (https://…)".
func evidenceText(es []assessment.Evidence) string {
	parts := make([]string, 0, len(es))
	for _, e := range es {
		if e.URL != "" && e.Kind != "file" {
			parts = append(parts, e.Name+" ("+e.URL+")")
		} else {
			parts = append(parts, e.Name)
		}
	}
	return strings.Join(parts, "; ")
}

// optionsText describes an indicator's answers as the LKE's "pilihan jawaban" and "kriteria
// nilai" columns do: each option with its criterion ("A: …", one per line), a percent as
// "0–100%", a number as its range followed by the descriptors of its whole values (PEKPPP).
func optionsText(inst *instrument.Instrument, ind instrument.Indicator) string {
	s := inst.Scales[ind.Scale]
	var head string
	switch s.Kind {
	case instrument.KindPercent:
		return "0–100%"
	case instrument.KindNumber:
		head = "angka"
		if s.Min != nil && s.Max != nil {
			head = rnum.ID(*s.Min) + "–" + rnum.ID(*s.Max)
		}
	}
	lines := []string{}
	if head != "" {
		lines = append(lines, head)
	}
	for _, c := range inst.Choices(ind.Code) {
		lines = append(lines, c.Key+": "+c.Text)
	}
	return strings.Join(lines, "\n")
}

// rekapHeaderRow is the row of the column titles of the "Rekap" sheet.
const rekapHeaderRow = 4

func writeRekap(b *book, inst *instrument.Instrument, a *assessment.Assessment, info SheetInfo) error {
	if err := b.addSheet(rekapSheet); err != nil {
		return err
	}
	caption := info.UnitName
	if info.Year != 0 {
		caption += fmt.Sprintf(" · Tahun %d", info.Year)
	}
	if info.Status != "" {
		caption += " · " + info.Status
	}
	top := &cellRow{b: b, sheet: rekapSheet, row: 1}
	top.put(1, textOf("Rekapitulasi "+inst.Title), look{bold: true, size: 13})
	top.row = 2
	top.put(1, textOf(strings.TrimPrefix(caption, " · ")), look{italic: true, color: "#595959"})
	top.row = rekapHeaderRow
	header := look{bold: true, wrap: true, border: true, fill: fillHeader, horizontal: "center"}
	for i, h := range []string{"Kode", "Komponen", "Bobot", "Nilai mandiri", "% mandiri", "Nilai akhir", "% akhir"} {
		top.put(i+1, textOf(h), header)
	}
	for i, w := range []float64{12, 48, 9, 12, 11, 12, 11} {
		if top.err == nil {
			top.err = b.width(rekapSheet, i+1, w)
		}
	}
	if top.err != nil {
		return top.err
	}

	r := &cellRow{b: b, sheet: rekapSheet, row: rekapHeaderRow}
	inst.Walk(func(area *instrument.Area, depth int) {
		if depth > 1 {
			return
		}
		r.row++
		final := (*float64)(nil)
		if a.Final != nil {
			f := a.Final.Node(area.Code)
			final = &f
		}
		scoreRow(r, area.Code, area.Title, inst.Points(area), a.Self.Node(area.Code), final,
			look{border: true, bold: depth == 0, indent: depth})
	})

	r.row += 2
	var finalTotal *float64
	if a.Final != nil {
		finalTotal = &a.Final.Total
	}
	scoreRow(r, "Total", "", inst.ScaleMax, a.Self.Total, finalTotal, look{border: true, bold: true, fill: fillGroup})

	bold := look{border: true, bold: true}
	cell := look{border: true}
	if len(inst.Grades) > 0 {
		r.row++
		finalGrade := value{}
		if a.Final != nil {
			finalGrade = textOf(inst.GradeDisplay(a.Final.Grade))
		}
		r.put(1, textOf("Kategori"), bold)
		r.put(2, textOf(gradeLabels(inst)), cell)
		r.put(4, textOf(inst.GradeDisplay(a.Self.Grade)), look{border: true, horizontal: "center"})
		r.put(6, finalGrade, look{border: true, horizontal: "center"})
	}
	for _, p := range inst.Predicates {
		r.row++
		finalHas := value{}
		if a.Final != nil {
			finalHas = predicateValue(a.Final.Predicates, p.Key)
		}
		r.put(1, textOf(p.Display()), bold)
		r.put(2, textOf(p.Label), look{border: true, wrap: true})
		r.put(4, predicateValue(a.Self.Predicates, p.Key), look{border: true, horizontal: "center"})
		r.put(6, finalHas, look{border: true, horizontal: "center"})
	}
	if r.err != nil {
		return r.err
	}
	if err := b.freeze(rekapSheet, 0, rekapHeaderRow); err != nil {
		return fmt.Errorf("freeze header: %w", err)
	}
	return nil
}

// writeLHE adds the evaluation report of a final assessment: the evaluators' findings and
// recommendations per area, the team and the date of finalization.
func writeLHE(b *book, inst *instrument.Instrument, a *assessment.Assessment, sh *assessment.Sheet, info SheetInfo) error {
	if err := b.addSheet(lheSheet); err != nil {
		return err
	}
	r := &cellRow{b: b, sheet: lheSheet, row: 1}
	r.put(1, textOf("Laporan Hasil Evaluasi "+inst.Title), look{bold: true, size: 13})
	r.row = 2
	r.put(1, textOf(fmt.Sprintf("%s · Tahun %d", info.UnitName, info.Year)), look{italic: true, color: "#595959"})
	r.row = 4
	header := look{bold: true, wrap: true, border: true, fill: fillHeader, horizontal: "center"}
	for i, h := range []string{"Area", "Kondisi", "Rekomendasi"} {
		r.put(i+1, textOf(h), header)
	}
	for i, w := range []float64{36, 60, 60} {
		if r.err == nil {
			r.err = b.width(lheSheet, i+1, w)
		}
	}
	text := look{border: true, wrap: true}
	for _, code := range inst.ReportAreas() {
		f := sh.Finding(code)
		if f == nil || (f.Kondisi == "" && f.Rekomendasi == "") {
			continue
		}
		area, _ := inst.Node(code)
		r.row++
		r.put(1, textOf(area.Title), text)
		r.put(2, textOf(f.Kondisi), text)
		r.put(3, textOf(f.Rekomendasi), text)
	}
	r.row += 2
	r.put(1, textOf("Tim penilai"), look{bold: true})
	r.put(2, textOf(strings.Join(info.Team, "; ")), look{wrap: true})
	r.row++
	r.put(1, textOf("Difinalkan"), look{bold: true})
	when := ""
	if a.FinalizedAt != nil {
		when = a.FinalizedAt.Format("02-01-2006 15:04")
	}
	r.put(2, textOf(strings.TrimSpace(when+" "+info.Finalizer)), look{})
	return r.err
}

// scoreRow writes one Rekap line: code, title, points, then the self and final score and their
// share of the points.
func scoreRow(r *cellRow, code, title string, points, self float64, final *float64, l look) {
	num, pct := l, l
	num.indent, pct.indent = 0, 0
	num.numFmt, pct.numFmt = fmtDecimal, fmtPercent
	r.put(1, textOf(code), look{border: l.border, bold: l.bold, fill: l.fill})
	r.put(2, textOf(title), l)
	r.put(3, floatValue(points), num)
	r.put(4, floatValue(self), num)
	r.put(5, share(&self, points), pct)
	r.put(6, floatPtr(final), num)
	r.put(7, share(final, points), pct)
}

// share is score / points as a fraction, shown as a percentage; empty without a score or points.
func share(score *float64, points float64) value {
	if score == nil || points == 0 {
		return value{}
	}
	return floatValue(*score / points)
}

// predicateValue is Ya/Tidak for a predicate in a snapshot, empty when the snapshot lacks it.
func predicateValue(preds map[string]bool, key string) value {
	has, ok := preds[key]
	if !ok {
		return value{}
	}
	return yesNo(has)
}

// gradeLabels lists the grade bands, "AA Sangat Memuaskan · A Memuaskan · …".
func gradeLabels(inst *instrument.Instrument) string {
	parts := make([]string, len(inst.Grades))
	for i, g := range inst.Grades {
		parts[i] = strings.TrimSpace(g.Display() + " " + g.Label)
		if g.Display() == g.Label {
			parts[i] = g.Label
		}
	}
	return strings.Join(parts, " · ")
}
