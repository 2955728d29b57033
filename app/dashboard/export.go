package dashboard

import (
	"bytes"
	"context"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/export"
	"github.com/rapor-rb/raporrb/app/instrument"
	"github.com/rapor-rb/raporrb/app/ranking"
	"github.com/rapor-rb/raporrb/app/web"
)

const (
	mimeXLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
	mimeCSV  = "text/csv; charset=utf-8"
)

// rankingTable is one instrument's ranking as an export table, the numbers of the API.
func rankingTable(in *instrument.Instrument, year int, rows []ranking.Row, caption string) export.Table {
	header := []string{"Peringkat", "Kode", "Kecamatan", "Nilai", "Nilai akhir", "Nilai mandiri", "Predikat", "Status", "Dijawab", "Berbukti", "Direviu", "Jumlah indikator"}
	for _, p := range in.Predicates {
		header = append(header, p.Display())
	}
	t := export.Table{Name: in.ShortName(), Title: fmt.Sprintf("Peringkat %s %d", in.Title, year), Caption: caption, Header: header}
	for _, r := range rows {
		row := []any{r.Rank, r.Unit, r.Name, r.Score, r.Final, r.Self, in.GradeDisplay(r.Grade), r.Status.Label(),
			r.Progress.Answered, r.Progress.Evidenced, r.Progress.Reviewed, r.Progress.Total}
		for _, p := range in.Predicates {
			row = append(row, r.Predicates[p.Key])
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// compositeTable is the composite index as an export table.
func compositeTable(insts []*instrument.Instrument, year int, rows []ranking.CompositeRow, caption string) export.Table {
	header := []string{"Peringkat", "Kode", "Kecamatan", "Indeks komposit", "Semua final"}
	for _, in := range insts {
		header = append(header, in.ShortName()+" (0–100)", in.ShortName()+" (sumbangan)")
	}
	t := export.Table{Name: "Indeks komposit", Title: fmt.Sprintf("Indeks komposit %d", year), Caption: caption, Header: header}
	for _, r := range rows {
		row := []any{r.Rank, r.Unit, r.Name, r.Index, r.Final}
		for _, p := range r.Parts {
			row = append(row, p.Score, p.Points)
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}

// caption is the tables' second row; "dicetak" is stamped in the kabupaten's zone.
func (h *Handler) caption(ctx context.Context, year int) string {
	at := h.Now().In(h.zone(ctx))
	return fmt.Sprintf("Periode %d · dicetak %s %s · nilai akhir bila final, selain itu nilai mandiri", year, at.Format("02-01-2006 15:04"), at.Location())
}

// exportView checks the user may export every unit's figures and reads the period of :year.
func (h *Handler) exportView(c *fiber.Ctx) (*ranking.View, error) {
	if err := leader(c); err != nil {
		return nil, err
	}
	if err := account.Decide(web.CurrentUser(c), account.Export, account.Object{}); err != nil {
		return nil, err
	}
	p, err := h.period(c, c.Params("year"))
	if err != nil {
		return nil, err
	}
	return h.Board.View(c.UserContext(), h.Catalog, h.Settings, p)
}

func (h *Handler) rankingsXLSX(c *fiber.Ctx) error {
	v, err := h.exportView(c)
	if err != nil {
		return err
	}
	p := v.Period
	caption := h.caption(c.UserContext(), p.Year)
	tables := []export.Table{compositeTable(v.Insts, p.Year, v.Composite, caption)}
	for _, in := range v.Insts {
		tables = append(tables, rankingTable(in, p.Year, v.Rows[in.ID], caption))
	}
	var buf bytes.Buffer
	if err := export.WriteXLSX(&buf, tables...); err != nil {
		return err
	}
	return download(c, fmt.Sprintf("peringkat-%d.xlsx", p.Year), mimeXLSX, buf.Bytes())
}

func (h *Handler) rankingsCSV(c *fiber.Ctx) error {
	v, err := h.exportView(c)
	if err != nil {
		return err
	}
	p, rows := v.Period, v.Rows
	id := c.Query("instrumen")
	var t export.Table
	file := id // validated below: "komposit" or a catalog id
	switch {
	case id == "komposit":
		t = compositeTable(v.Insts, p.Year, v.Composite, h.caption(c.UserContext(), p.Year))
	case id == "":
		return apperr.New(apperr.Invalid, "Parameter instrumen wajib diisi, misalnya instrumen=zi-2021 atau instrumen=komposit.")
	default:
		in, err := h.instrumentOf(id)
		if err != nil {
			return err
		}
		if _, ok := rows[in.ID]; !ok {
			return errUnknownInPeriod(in.ID, p.Year)
		}
		t = rankingTable(in, p.Year, rows[in.ID], h.caption(c.UserContext(), p.Year))
	}
	format := export.CSVIndonesian
	switch c.Query("pemisah") {
	case "", "titik-koma":
	case "koma":
		format = export.CSVComma
	default:
		return apperr.New(apperr.Invalid, "Parameter pemisah harus titik-koma (bawaan) atau koma.")
	}
	var buf bytes.Buffer
	if err := export.WriteCSV(&buf, t, format); err != nil {
		return err
	}
	return download(c, fmt.Sprintf("peringkat-%s-%d.csv", file, p.Year), mimeCSV, buf.Bytes())
}

func (h *Handler) sheetXLSX(c *fiber.Ctx) error {
	s, err := h.load(c.UserContext(), web.CurrentUser(c), account.Export, c.Params("year"), c.Params("instrument"), c.Params("unit"))
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	info := export.SheetInfo{UnitName: s.Unit.Name, Year: s.A.Period, Status: s.A.Status.Label(), Generated: h.Now().In(h.zone(c.UserContext()))}
	if s.Final() {
		team, names, err := h.team(c.UserContext(), s)
		if err != nil {
			return err
		}
		for _, m := range team {
			name := names(m.Evaluator)
			if m.Lead {
				name += " (ketua tim)"
			}
			info.Team = append(info.Team, name)
		}
		info.Finalizer = names(s.A.FinalizedBy)
	}
	if err := export.WriteLKE(&buf, s.Inst, s.A, s.Sheet, info); err != nil {
		return err
	}
	return download(c, fmt.Sprintf("lke-%s-%s-%d.xlsx", s.Inst.ID, s.Unit.Code, s.A.Period), mimeXLSX, buf.Bytes())
}

// download sends a generated file. The name is built from validated codes only.
func download(c *fiber.Ctx, name, mime string, body []byte) error {
	c.Set(fiber.HeaderContentType, mime)
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+strings.ReplaceAll(name, `"`, "")+`"`)
	c.Set(fiber.HeaderCacheControl, "no-store")
	return c.Send(body)
}

// errUnknownInPeriod is the 404 of an instrument that the period does not evaluate.
func errUnknownInPeriod(id string, year int) error {
	return apperr.New(apperr.NotFound, "Instrumen %q tidak dinilai pada periode %d.", id, year)
}
