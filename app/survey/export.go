package survey

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/export"
)

// ResponsesTable is the raw responses of a survey as one table: the number, the profile and
// the answers, nothing else (no suggestion, no time, no device: what a respondent wrote in
// their own words and what could point at them stay in the app).
func ResponsesTable(sv *Survey, unitName string, rs []Response) export.Table {
	f := sv.Form()
	header := []string{"No", "Umur", "Jenis kelamin", "Pendidikan", "Pekerjaan"}
	for _, q := range f.Questions {
		header = append(header, q.Key+" "+q.Short)
	}
	rows := make([][]any, 0, len(rs))
	for _, r := range rs {
		row := []any{r.Seq, nil, labelOf(Genders, r.Profile.Gender), labelOf(Educations, r.Profile.Education), labelOf(Jobs, r.Profile.Job)}
		if r.Profile.Age > 0 {
			row[1] = r.Profile.Age
		}
		for i := range f.Questions {
			if i < len(r.Answers) && r.Answers[i] != Blank {
				row = append(row, r.Answers[i])
			} else {
				row = append(row, nil)
			}
		}
		rows = append(rows, row)
	}
	return export.Table{Name: "Respons " + sv.Kind.Short(),
		Title:   fmt.Sprintf("%s · %s · %d", f.Title, unitName, sv.Period),
		Caption: fmt.Sprintf("Layanan: %s · %d respons · kosong = tidak dijawab", sv.Service, len(rs)),
		Header:  header, Rows: rows}
}

// xlsx serves the raw responses as an XLSX file to those who may read the results.
func (h *Handler) xlsx(c *fiber.Ctx) error {
	sv, err := h.load(c, account.Read)
	if err != nil {
		return err
	}
	rs, err := h.Service.Store.Responses(c.UserContext(), sv.ID, sv.Seq)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := export.WriteXLSX(&buf, ResponsesTable(sv, h.unitName(c, sv.Unit), rs)); err != nil {
		return err
	}
	name := fmt.Sprintf("survei-%s-%s-%d.xlsx", strings.ReplaceAll(string(sv.Kind), "-", ""), sv.Unit, sv.Period)
	c.Set(fiber.HeaderContentType, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
	c.Set(fiber.HeaderContentDisposition, `attachment; filename="`+name+`"`)
	return c.Send(buf.Bytes())
}
