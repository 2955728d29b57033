package jobs

import (
	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
	"github.com/rapor-rb/raporrb/app/web"
)

// Handler serves a job's progress: a page that refreshes its progress bar every second (htmx;
// without JavaScript the "Perbarui" link does it) and the same as JSON.
type Handler struct{ Runner *Runner }

// Routes registers GET /tugas/{id} and GET /api/v1/jobs/{id}.
func (h Handler) Routes(r web.Router) {
	r.Get("/tugas/:id", account.SignedIn, h.page)
	r.Get("/api/v1/jobs/:id", account.SignedIn, h.api)
}

// load returns a job its owner (or an admin) may see; anyone else gets 404, as for a job that
// does not exist.
func (h Handler) load(c *fiber.Ctx) (*Job, error) {
	j, err := h.Runner.Get(c.UserContext(), c.Params("id"))
	if err != nil {
		return nil, err
	}
	u := web.CurrentUser(c)
	if j.Owner != u.Username && u.Role != account.Admin {
		return nil, apperr.New(apperr.NotFound, "Pekerjaan tidak ditemukan.")
	}
	return j, nil
}

func (h Handler) page(c *fiber.Ctx) error {
	j, err := h.load(c)
	if err != nil {
		return err
	}
	data := fiber.Map{"J": j}
	if j.Owner == web.CurrentUser(c).Username {
		if data["Secret"], err = h.Runner.TakeSecret(c.UserContext(), j); err != nil {
			return err
		}
	}
	if c.Get("HX-Request") != "" {
		return c.Render("jobs/progress", data)
	}
	data["Htmx"] = true
	return web.Render(c, "jobs/show", j.Title, data)
}

func (h Handler) api(c *fiber.Ctx) error {
	j, err := h.load(c)
	if err != nil {
		return err
	}
	return c.JSON(j)
}
