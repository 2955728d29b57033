// Package web is the HTTP face of Rapor RB: the Fiber app, its middleware (security headers,
// CSRF, sessions, login throttling), the one error handler, templates and the router through
// which every route declares its authorization policy.
package web

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/csrf"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/template/html/v2"

	"github.com/rapor-rb/raporrb/app/account"
	"github.com/rapor-rb/raporrb/app/apperr"
)

// Config tunes the web layer; zero values take the defaults in New.
type Config struct {
	// CookieSecure marks cookies Secure (set it behind TLS).
	CookieSecure bool
	// SessionTTL is how long a browser session or API token lives.
	SessionTTL time.Duration
	// LoginMaxPerAccount and LoginMaxPerAddress are the failed logins allowed per
	// LoginWindow before further attempts get 429.
	LoginMaxPerAccount int
	LoginMaxPerAddress int
	LoginWindow        time.Duration
	// RequestTimeout bounds the database work of one request.
	RequestTimeout time.Duration
	// BodyLimit is the largest request body accepted, in bytes, except uploads.
	BodyLimit int
	// UploadMax is the largest evidence file, in bytes; upload bodies are streamed, never
	// buffered whole, and the evidence store stops reading past it.
	UploadMax int64
	// Static holds css/js/img (embedded) and Vendor the npm-installed assets (on disk).
	Static fs.FS
	Vendor fs.FS
	Logger *slog.Logger
	// Now is the clock (tests move it); nil means time.Now.
	Now func() time.Time
	// Zone is the kabupaten's time zone, in which pages show dates (nil: WIB). It is asked
	// at every use, so it should cache (unit.Store.Zone does).
	Zone func(context.Context) *time.Location
}

// Sessions is what the web layer needs of the account store.
type Sessions interface {
	Authenticate(ctx context.Context, username, password string) (*account.User, error)
	NewSession(ctx context.Context, user string, kind account.SessionKind, ttl time.Duration) (string, error)
	UserForToken(ctx context.Context, token string) (*account.User, error)
	EndSession(ctx context.Context, token string) error
}

// Server is the Fiber app plus the record of each route's policy.
type Server struct {
	App      *fiber.App
	cfg      Config
	sessions Sessions
	log      *slog.Logger
	policies map[string]account.Policy
}

const (
	sessionCookie = "raporrb_sesi"
	csrfCookie    = "raporrb_csrf"
	csrfField     = "_csrf"
	localUser     = "user"
	localCSRF     = "csrf"
)

// New builds the app with its middleware and the login/logout routes.
func New(cfg Config, sessions Sessions) (*Server, error) {
	if cfg.SessionTTL == 0 {
		cfg.SessionTTL = 12 * time.Hour
	}
	if cfg.LoginMaxPerAccount == 0 {
		cfg.LoginMaxPerAccount = 5
	}
	if cfg.LoginMaxPerAddress == 0 {
		cfg.LoginMaxPerAddress = 20
	}
	if cfg.LoginWindow == 0 {
		cfg.LoginWindow = 15 * time.Minute
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = 1 << 20
	}
	if cfg.UploadMax == 0 {
		cfg.UploadMax = 20 << 20
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	views, err := fs.Sub(viewsFS, "views")
	if err != nil {
		return nil, err
	}
	engine := html.NewFileSystem(http.FS(views), ".html")
	if cfg.Zone == nil {
		cfg.Zone = func(context.Context) *time.Location { return wib }
	}
	engine.AddFuncMap(funcs(cfg.Now, func() *time.Location {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return cfg.Zone(ctx)
	}))
	if err := engine.Load(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, sessions: sessions, log: cfg.Logger, policies: map[string]account.Policy{}}
	s.App = fiber.New(fiber.Config{
		Views:        engine,
		ErrorHandler: s.handleError,
		// Bodies past BodyLimit are streamed to the handler instead of buffered (uploads);
		// limitBody refuses them on every other route.
		BodyLimit:             cfg.BodyLimit,
		StreamRequestBody:     true,
		DisableStartupMessage: true,
		ReadTimeout:           time.Minute,
		WriteTimeout:          5 * time.Minute,
		IdleTimeout:           2 * time.Minute,
	})
	s.App.Use(recover.New())
	s.App.Use(helmet.New(helmet.Config{
		ContentSecurityPolicy: "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; " +
			"object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'",
		ReferrerPolicy:            "same-origin",
		CrossOriginEmbedderPolicy: "unsafe-none",
	}))
	s.App.Use(compress.New())
	s.App.Use(s.requestContext)
	s.App.Use(s.limitBody)
	s.App.Use(rejectOperatorKeys)
	s.App.Use(s.authenticate)
	s.App.Use(s.passwordGate)
	s.App.Use(csrf.New(csrf.Config{
		// API clients authenticate with a bearer token, which a browser never sends by itself.
		Next:           func(c *fiber.Ctx) bool { return isAPI(c) },
		CookieName:     csrfCookie,
		CookieSecure:   cfg.CookieSecure,
		CookieHTTPOnly: true,
		CookieSameSite: "Lax",
		// A session cookie (no Expires): the middleware would stamp an absolute expiry from
		// this machine's clock; the token's lifetime is judged on the server.
		CookieSessionOnly: true,
		Expiration:        cfg.SessionTTL,
		ContextKey:        localCSRF,
		Extractor: func(c *fiber.Ctx) (string, error) {
			// A multipart upload carries the token in its URL: reading a form field would
			// parse (and buffer) the whole body before the size check.
			if IsMultipart(c) {
				return c.Query(csrfField), nil
			}
			if t := c.FormValue(csrfField); t != "" {
				return t, nil
			}
			return csrf.CsrfFromHeader(csrf.HeaderName)(c)
		},
		ErrorHandler: func(c *fiber.Ctx, err error) error {
			return errForbidden("Formulir kedaluwarsa atau tidak sah. Muat ulang halaman lalu coba lagi.")
		},
	}))

	r := s.Router()
	if cfg.Static != nil {
		r.Static("/static", cfg.Static)
	}
	if cfg.Vendor != nil {
		r.Static("/vendor", cfg.Vendor)
	}
	r.Get("/healthz", account.PublicAccess, func(c *fiber.Ctx) error { return c.SendString("ok") })
	s.loginRoutes(r)
	return s, nil
}

func isAPI(c *fiber.Ctx) bool { return strings.HasPrefix(c.Path(), "/api/") }

// IsMultipart reports whether the request is a multipart upload.
func IsMultipart(c *fiber.Ctx) bool {
	return strings.HasPrefix(c.Get(fiber.HeaderContentType), fiber.MIMEMultipartForm)
}

// limitBody refuses a body larger than BodyLimit unless it is a multipart upload, which the
// upload handlers stream with their own limit (UploadMax, a few parts' overhead allowed).
func (s *Server) limitBody(c *fiber.Ctx) error {
	n := int64(c.Request().Header.ContentLength())
	limit := int64(s.cfg.BodyLimit)
	if IsMultipart(c) {
		limit = 10*s.cfg.UploadMax + 1<<20
	}
	if n > limit || (n < 0 && !IsMultipart(c) && c.Method() != fiber.MethodGet && c.Method() != fiber.MethodHead) {
		return apperr.New(apperr.TooLarge, "Permintaan terlalu besar (batas %d MB).", (limit+(1<<20)-1)>>20)
	}
	return c.Next()
}

// requestContext bounds each request's database work; handlers use c.UserContext().
func (s *Server) requestContext(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.RequestTimeout)
	defer cancel()
	c.SetUserContext(ctx)
	return c.Next()
}

// Router registers routes, each with its policy.
type Router struct {
	s      *Server
	prefix string
}

// Router returns the root router.
func (s *Server) Router() Router { return Router{s: s} }

// Group returns a router whose routes start with prefix.
func (r Router) Group(prefix string) Router { return Router{s: r.s, prefix: r.prefix + prefix} }

func (r Router) add(method, path string, p account.Policy, hs ...fiber.Handler) {
	full := r.prefix + path
	if p.Name == "" {
		panic("web: route " + method + " " + full + " has no policy")
	}
	r.s.policies[method+" "+full] = p
	r.s.App.Add(method, full, append([]fiber.Handler{r.s.guard(p)}, hs...)...)
}

// Get registers a GET route (Fiber adds HEAD) guarded by p.
func (r Router) Get(path string, p account.Policy, hs ...fiber.Handler) {
	r.add(fiber.MethodGet, path, p, hs...)
	r.s.policies[fiber.MethodHead+" "+r.prefix+path] = p
}

// Post registers a POST route guarded by p.
func (r Router) Post(path string, p account.Policy, hs ...fiber.Handler) {
	r.add(fiber.MethodPost, path, p, hs...)
}

// Put registers a PUT route guarded by p.
func (r Router) Put(path string, p account.Policy, hs ...fiber.Handler) {
	r.add(fiber.MethodPut, path, p, hs...)
}

// Patch registers a PATCH route guarded by p.
func (r Router) Patch(path string, p account.Policy, hs ...fiber.Handler) {
	r.add(fiber.MethodPatch, path, p, hs...)
}

// Delete registers a DELETE route guarded by p.
func (r Router) Delete(path string, p account.Policy, hs ...fiber.Handler) {
	r.add(fiber.MethodDelete, path, p, hs...)
}

// Static serves files of fsys under path, publicly.
func (r Router) Static(path string, fsys fs.FS) {
	full := r.prefix + path
	r.s.policies["USE "+full] = account.PublicAccess
	r.s.App.Use(full, filesystem.New(filesystem.Config{Root: http.FS(fsys), MaxAge: 3600}))
}

// Policies returns "METHOD path" → policy name for every registered route, sorted, so a test
// can compare it with the app's own route list.
func (s *Server) Policies() map[string]string {
	out := make(map[string]string, len(s.policies))
	for k, p := range s.policies {
		out[k] = p.Name
	}
	return out
}

// Routes lists the app's routes as "METHOD path", sorted; prefixes mounted with Use (other
// than the global middleware at "/") appear once as "USE path".
func (s *Server) Routes() []string {
	seen := map[string]bool{}
	for _, rt := range s.App.GetRoutes(true) {
		seen[rt.Method+" "+rt.Path] = true
	}
	for _, rt := range s.App.GetRoutes(false) {
		if !seen[rt.Method+" "+rt.Path] && rt.Path != "/" {
			seen["USE "+rt.Path] = true
		}
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// guard enforces a route's policy: anonymous users are sent to the login page (401 for the
// API), signed-in users without the role get 403.
func (s *Server) guard(p account.Policy) fiber.Handler {
	return func(c *fiber.Ctx) error {
		u := CurrentUser(c)
		if p.Allows(u) {
			return c.Next()
		}
		if u == nil {
			if isAPI(c) || c.Method() != fiber.MethodGet {
				return errUnauthorized("Silakan masuk terlebih dahulu.")
			}
			return c.Redirect("/masuk?lanjut=" + safeNext(c.OriginalURL()))
		}
		return errForbidden("Halaman ini tidak tersedia untuk peran Anda.")
	}
}

// UploadMax is the configured largest evidence file, in bytes.
func (s *Server) UploadMax() int64 { return s.cfg.UploadMax }

// CurrentUser returns the signed-in user of the request, or nil.
func CurrentUser(c *fiber.Ctx) *account.User {
	u, _ := c.Locals(localUser).(*account.User)
	return u
}

// Listen serves on addr until ctx ends, then shuts down gracefully.
func (s *Server) Listen(ctx context.Context, addr string) error {
	errc := make(chan error, 1)
	go func() { errc <- s.App.Listen(addr) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		return s.App.ShutdownWithTimeout(10 * time.Second)
	}
}
