// Package lkeimport imports one kecamatan's answers, notes and evidence links into its
// assessment from a spreadsheet: the XLSX the LKE export writes (app/export, read back through
// export.LKELayout), or a simple template (CSV or XLSX) with the columns kode, jawaban,
// catatan, bukti. A preview lists what changes and what is invalid, and why, before anything
// is written; the import is then all or nothing, through the assessment service's own save
// path (validation, history, revs, the deadline).
//
// Who imports: the kecamatan's own staf and camat, for their own unit — importing is
// answering, and an admin never answers (DESIGN.md's authorization table).
package lkeimport

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/assessment"
	"github.com/rapor-rb/raporrb/app/export"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/scoring"
	"github.com/rapor-rb/raporrb/app/tabular"
)

// MaxBytes bounds an uploaded file; MaxRows a sheet.
const (
	MaxBytes = 5 << 20
	MaxRows  = 5000
)

// Row is one indicator line read from a file, as written there.
type Row struct {
	Line     int    `bson:"line" json:"line"` // 1-based row in the file
	Code     string `bson:"code" json:"code"`
	Answer   string `bson:"answer" json:"answer"`
	Note     string `bson:"note" json:"note"`
	Evidence string `bson:"evidence" json:"evidence"`
}

// File is what an uploaded file holds.
type File struct {
	Layout string `bson:"layout" json:"layout"` // "lke" or "templat"
	// Unit and Year are the LKE's information block (empty, 0 in a template).
	Unit string `bson:"unit" json:"unit,omitempty"`
	Year int    `bson:"year" json:"year,omitempty"`
	Rows []Row  `bson:"rows" json:"rows"`
}

// Template columns: the header row names them (any order, case-insensitive).
var templateColumns = map[string][]string{
	"code":     {"kode", "code", "kode indikator"},
	"answer":   {"jawaban", "answer", "jawaban mandiri"},
	"note":     {"catatan", "note"},
	"evidence": {"bukti", "evidence", "tautan bukti"},
}

// Read parses an uploaded file. Errors: Invalid for a file that is neither CSV nor XLSX, or a
// table that is neither the LKE layout nor the template (saying which columns are missing).
func Read(data []byte) (*File, error) {
	book, err := tabular.Read(data, MaxRows)
	if err != nil {
		return nil, err
	}
	L := export.LKELayout
	if rows, ok := book.Rows[L.Sheet]; ok && len(rows) >= L.HeaderRow &&
		strings.EqualFold(tabular.Cell(rows[L.HeaderRow-1], L.ColCode-1), L.CodeTitle) &&
		strings.EqualFold(tabular.Cell(rows[L.HeaderRow-1], L.ColSelfAnswer-1), L.AnswerTitle) {
		return readLKE(rows), nil
	}
	rows := book.First()
	for i, r := range rows {
		cols := tabular.Columns(r, templateColumns)
		if cols["code"] < 0 {
			continue
		}
		if cols["answer"] < 0 {
			return nil, apperr.New(apperr.Invalid, "Baris judul (baris %d) tidak memuat kolom \"jawaban\".", i+1)
		}
		f := &File{Layout: "templat"}
		for j, r := range rows[i+1:] {
			row := Row{Line: i + j + 2, Code: tabular.Cell(r, cols["code"]), Answer: tabular.Cell(r, cols["answer"]),
				Note: tabular.Cell(r, cols["note"]), Evidence: tabular.Cell(r, cols["evidence"])}
			if row.Code != "" {
				f.Rows = append(f.Rows, row)
			}
		}
		return f, nil
	}
	return nil, apperr.New(apperr.Invalid, "Berkas tidak dikenali: gunakan LKE hasil ekspor Rapor RB, atau templat dengan baris judul kode, jawaban, catatan, bukti.")
}

func readLKE(rows [][]string) *File {
	L := export.LKELayout
	f := &File{Layout: "lke"}
	if len(rows) >= L.UnitRow {
		f.Unit = tabular.Cell(rows[L.UnitRow-1], L.ColText-1)
	}
	if len(rows) >= L.YearRow {
		f.Year, _ = strconv.Atoi(tabular.Cell(rows[L.YearRow-1], L.ColText-1))
	}
	for i := L.HeaderRow; i < len(rows); i++ {
		r := rows[i]
		row := Row{Line: i + 1, Code: tabular.Cell(r, L.ColCode-1), Answer: tabular.Cell(r, L.ColSelfAnswer-1),
			Note: tabular.Cell(r, L.ColNote-1), Evidence: tabular.Cell(r, L.ColEvidence-1)}
		if row.Code != "" {
			f.Rows = append(f.Rows, row)
		}
	}
	return f
}

// Status of a previewed row.
type Status string

// Row statuses.
const (
	Change   Status = "ubah"   // will be saved
	Same     Status = "tetap"  // equals what is stored
	Skip     Status = "lewati" // nothing to import (empty, or an area's row of the LKE)
	Invalid  Status = "galat"  // refused, with Reason
	NotFiles Status = "berkas" // file names without bytes: not imported, said in Reason
)

// Line is one row of the preview.
type Line struct {
	Line      int      `json:"line"`
	Code      string   `json:"code"`
	Indicator string   `json:"indicator,omitempty"` // the indicator's text
	Status    Status   `json:"status"`
	From      string   `json:"from,omitempty"` // stored answer (and note)
	To        string   `json:"to,omitempty"`   // imported answer (and note)
	Links     []string `json:"links,omitempty"`
	Reason    string   `json:"reason,omitempty"`
}

// Preview is what an import would do.
type Preview struct {
	Layout   string   `json:"layout"`
	Lines    []Line   `json:"lines"`
	Changes  int      `json:"changes"`           // indicators whose answer or note changes
	Links    int      `json:"links"`             // links added
	Invalid  int      `json:"invalid"`           // rows refused
	Blocked  string   `json:"blocked,omitempty"` // why nothing can be imported now (submitted, past the deadline)
	Warnings []string `json:"warnings,omitempty"`
	// Plan is what an apply hands to assessment.Service.SaveAnswers.
	Plan []assessment.BatchChange `json:"-"`
}

// OK reports whether the import can be applied: nothing invalid, nothing blocking, something
// to do.
func (p *Preview) OK() bool { return p.Invalid == 0 && p.Blocked == "" && len(p.Plan) > 0 }

// Target is the assessment an import goes into, as it stands.
type Target struct {
	Inst     *instrument.Instrument
	A        *assessment.Assessment
	Sheet    *assessment.Sheet
	UnitName string
	// Editable is the service's CheckEditable for one indicator ("" for the sheet).
	Editable func(indicator string) error
	// Revs, when set, are the answers' revs seen at the preview (an indicator absent from it
	// had no answer, rev 0): an apply checks them, so a save since then is a conflict, never
	// overwritten.
	Revs map[string]int64
}

// linkRe is one "Name (https://…)" item of the evidence column, as the LKE export writes it.
var linkRe = regexp.MustCompile(`^(.*?)\s*\((https?://[^\s()]+)\)$`)

// Plan compares the file with the target and builds the preview.
func Plan(f *File, t Target) *Preview {
	p := &Preview{Layout: f.Layout}
	if f.Unit != "" && !strings.EqualFold(strings.TrimSpace(f.Unit), t.UnitName) {
		p.Blocked = fmt.Sprintf("Berkas ini LKE unit %q, bukan %s.", f.Unit, t.UnitName)
	}
	if f.Year != 0 && f.Year != t.A.Period {
		p.Warnings = append(p.Warnings, fmt.Sprintf("Berkas ini LKE tahun %d; jawabannya diimpor ke penilaian tahun %d.", f.Year, t.A.Period))
	}
	if err := t.Editable(""); err != nil && p.Blocked == "" {
		p.Blocked = apperr.Message(err)
	}
	seen := map[string]int{}
	for _, r := range f.Rows {
		l := planRow(p, t, r, seen)
		if l.Status == Invalid {
			p.Invalid++
		}
		p.Lines = append(p.Lines, l)
	}
	if len(p.Plan) == 0 && p.Invalid == 0 && p.Blocked == "" {
		p.Warnings = append(p.Warnings, "Tidak ada perubahan: semua jawaban di berkas sama dengan yang tersimpan.")
	}
	return p
}

func planRow(p *Preview, t Target, r Row, seen map[string]int) Line {
	l := Line{Line: r.Line, Code: r.Code, Status: Skip}
	inst := t.Inst
	ind, ok := inst.Indicator(r.Code)
	if !ok {
		if _, area := inst.Node(r.Code); area {
			return l // an area's row of the LKE: scores, nothing to import
		}
		l.Status, l.Reason = Invalid, fmt.Sprintf("Kode %q tidak ada pada instrumen %s.", r.Code, inst.Title)
		return l
	}
	l.Indicator = ind.Text
	if prev, dup := seen[r.Code]; dup {
		l.Status, l.Reason = Invalid, fmt.Sprintf("Indikator %s sudah ada di baris %d.", r.Code, prev)
		return l
	}
	seen[r.Code] = r.Line
	cur := t.Sheet.Answer(r.Code)
	var stored *assessment.Response
	if cur != nil {
		stored = cur.Self
	}
	if stored != nil {
		l.From = shown(stored.Option, stored.Value, stored.Note)
	}

	links, files, err := parseEvidence(r.Evidence)
	if err != nil {
		l.Status, l.Reason = Invalid, err.Error()
		return l
	}
	var newLinks []assessment.Evidence
	for _, e := range links {
		if cur == nil || !hasEvidence(cur.Evidence, e.ID) {
			newLinks = append(newLinks, e)
			l.Links = append(l.Links, e.URL)
		}
	}

	ch := assessment.BatchChange{Input: assessment.AnswerInput{Indicator: r.Code}, Links: newLinks}
	switch {
	case r.Answer == "" && r.Note == "":
	case r.Answer == "" && stored == nil:
		l.Status, l.Reason = Invalid, "Catatan tanpa jawaban: isi kolom jawaban."
		return l
	default:
		in, err := answerOf(inst, r, stored)
		if err != nil {
			l.Status, l.Reason = Invalid, apperr.Message(err)
			return l
		}
		if stored == nil || !same(stored, in) {
			ch.Input, ch.SetAnswer = in, true
			l.To = shown(in.Answer.Option, in.Answer.Number, in.Note)
		}
	}
	if !ch.SetAnswer && len(newLinks) == 0 {
		if stored != nil && r.Answer != "" {
			l.Status = Same
		}
		if unlinked := missingFiles(files, cur); len(unlinked) > 0 {
			l.Status, l.Reason = NotFiles, filesReason(unlinked)
		}
		return l
	}
	if p.Blocked == "" {
		if err := t.Editable(r.Code); err != nil {
			l.Status, l.Reason = Invalid, apperr.Message(err)
			return l
		}
	}
	rev := int64(0)
	switch {
	case t.Revs != nil:
		rev = t.Revs[r.Code] // as previewed: 0 when the preview saw no answer
	case cur != nil:
		rev = cur.Rev
	}
	ch.Input.Rev = rev
	l.Status = Change
	if unlinked := missingFiles(files, cur); len(unlinked) > 0 {
		l.Reason = filesReason(unlinked)
	}
	if ch.SetAnswer {
		p.Changes++
	}
	p.Links += len(newLinks)
	p.Plan = append(p.Plan, ch)
	return l
}

// answerOf reads the row's answer (the stored one when the row only brings a note) in the
// scale of the indicator: an option key (any case), or a number with a comma or a point.
func answerOf(inst *instrument.Instrument, r Row, stored *assessment.Response) (assessment.AnswerInput, error) {
	if r.Answer == "" {
		in := assessment.AnswerInput{Indicator: r.Code, Answer: scoring.Answer{Option: stored.Option, Number: stored.Value}, Note: r.Note}
		return in, assessment.Validate(inst, in)
	}
	var raw any = r.Answer
	scale := inst.ScaleOf(r.Code)
	if scale.Kind == instrument.KindChoice {
		for _, k := range scale.Keys() {
			if strings.EqualFold(k, r.Answer) {
				raw = k
			}
		}
	} else {
		x, err := strconv.ParseFloat(strings.Replace(strings.TrimSuffix(r.Answer, "%"), ",", ".", 1), 64)
		if err != nil {
			return assessment.AnswerInput{}, apperr.New(apperr.Invalid, "Jawaban %q bukan angka.", r.Answer)
		}
		raw = x
	}
	a, err := scoring.ParseAnswer(inst, r.Code, raw)
	if err != nil {
		return assessment.AnswerInput{}, err
	}
	in := assessment.AnswerInput{Indicator: r.Code, Answer: a, Note: r.Note}
	return in, assessment.Validate(inst, in)
}

func same(s *assessment.Response, in assessment.AnswerInput) bool {
	if s.Option != in.Answer.Option || s.Note != in.Note || (s.Value == nil) != (in.Answer.Number == nil) {
		return false
	}
	return s.Value == nil || *s.Value == *in.Answer.Number
}

// shown is an answer as the preview prints it: "Ya", "75" or "75 — catatan".
func shown(option string, value *float64, note string) string {
	s := option
	if value != nil {
		s = strings.Replace(strconv.FormatFloat(*value, 'f', -1, 64), ".", ",", 1)
	}
	if note != "" {
		s += " — " + note
	}
	return s
}

// parseEvidence splits the evidence column ("SK.pdf; Berita (https://…)", or addresses one
// per line) into links and the names of files (which carry no bytes in a spreadsheet).
func parseEvidence(s string) (links []assessment.Evidence, files []string, err error) {
	for _, item := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '\n' }) {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		name, url := "", ""
		if m := linkRe.FindStringSubmatch(item); m != nil {
			name, url = m[1], m[2]
		} else if strings.HasPrefix(item, "http://") || strings.HasPrefix(item, "https://") {
			url = item
		} else {
			files = append(files, item)
			continue
		}
		e, err := assessment.NewLink(url, name)
		if err != nil {
			return nil, nil, fmt.Errorf("bukti %q: %s", item, apperr.Message(err))
		}
		links = append(links, e)
	}
	return links, files, nil
}

func hasEvidence(es []assessment.Evidence, id string) bool {
	for _, e := range es {
		if e.ID == id {
			return true
		}
	}
	return false
}

// missingFiles are the file names of the row that the indicator does not already hold.
func missingFiles(files []string, cur *assessment.Answer) []string {
	var out []string
	for _, f := range files {
		held := false
		if cur != nil {
			for _, e := range cur.Evidence {
				held = held || (e.Kind == assessment.EvidenceFile && e.Name == f)
			}
		}
		if !held {
			out = append(out, f)
		}
	}
	return out
}

func filesReason(files []string) string {
	return fmt.Sprintf("Berkas bukti tidak ikut terimpor (%s): unggah lewat halaman penilaian.", strings.Join(files, ", "))
}
