package instrument

import (
	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/web"
)

// Handler serves the catalog over the JSON API.
type Handler struct{ Catalog *Catalog }

// Routes registers GET /api/v1/instruments and GET /api/v1/instruments/:id.
func (h Handler) Routes(r web.Router) {
	r.Get("/api/v1/instruments", account.SignedIn, h.list)
	r.Get("/api/v1/instruments/:id", account.SignedIn, h.get)
}

// summary is an instrument without its tree, for the list.
type summary struct {
	ID         string  `json:"id"`
	Title      string  `json:"title"`
	Short      string  `json:"short"` // ShortName: the name in tables and XLSX sheet names
	Regulation string  `json:"regulation"`
	ScaleMax   float64 `json:"scale_max"`
	Indicators int     `json:"indicators"`
	Grades     []Grade `json:"grades"`
}

func (h Handler) list(c *fiber.Ctx) error {
	out := []summary{}
	for _, in := range h.Catalog.List() {
		out = append(out, summary{in.ID, in.Title, in.ShortName(), in.Regulation, in.ScaleMax, len(in.Indicators()), in.Grades})
	}
	return c.JSON(fiber.Map{"instruments": out})
}

func (h Handler) get(c *fiber.Ctx) error {
	in, ok := h.Catalog.Get(c.Params("id"))
	if !ok {
		return apperr.New(apperr.NotFound, "Instrumen %q tidak dikenal.", c.Params("id"))
	}
	return c.JSON(in)
}
