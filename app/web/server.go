// Package web is the HTTP face of Rapor RB: the Fiber app, its middleware (security headers,
// CSRF, sessions, login throttling), the one error handler, templates and the router through
// which every route declares its authorization policy.
package web

import (
	"context"
	"crypto/rand"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"sort"
	"strings"
	"time"

	"github.com/gofiber/fiber/v2"
	"github.com/gofiber/fiber/v2/middleware/compress"
	"github.com/gofiber/fiber/v2/middleware/filesystem"
	"github.com/gofiber/fiber/v2/middleware/helmet"
	"github.com/gofiber/fiber/v2/middleware/recover"
	"github.com/gofiber/template/html/v2"

	"github.com/rapor-rb/raporrb/app/account"
)

// Config tunes the web layer; zero values take the defaults in New.
type Config struct {
	// CookieSecure marks cookies Secure always; without it they are Secure when the request
	// came over HTTPS (directly, or through a trusted proxy's X-Forwarded-Proto).
	CookieSecure bool
	// TrustedProxies are the reverse proxies (addresses or ranges) whose X-Forwarded-For and
	// X-Forwarded-Proto are believed; empty trusts nobody's.
	TrustedProxies []netip.Prefix
	// CSRFKey derives the CSRF tokens (at least 32 bytes); instances sharing a database share
	// it. Nil generates one for this process.
	CSRFKey []byte
	// Throttle keeps the login throttle's counts; nil keeps them in process memory.
	Throttle fiber.Storage
	// SessionTTL is how long a browser session or API token lives.
	SessionTTL time.Duration
	// LoginMaxPerAddress is the failed logins one client address may make per LoginWindow
	// before further attempts get 429. LoginMaxPerAccount is the failed logins on one account
	// (from any address) per LoginWindow before each further attempt is delayed, 1 s doubling
	// up to LoginDelayMax; an account is never locked.
	LoginMaxPerAccount int
	LoginMaxPerAddress int
	LoginWindow        time.Duration
	LoginDelayMax      time.Duration
	// Sleep waits before a throttled login (tests inject it); nil waits for real.
	Sleep func(ctx context.Context, d time.Duration) error
	// RequestTimeout bounds the database work of one request.
	RequestTimeout time.Duration
	// BodyLimit is the largest request body accepted, in bytes, on every route but the
	// uploads; enforced while reading, chunked bodies included. Default 256 KB.
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
	// Record, when set, records logins and logouts in the audit log (action "login" or
	// "logout", how: "web" or "api").
	Record func(ctx context.Context, username, action, how string) error
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
	EndAllSessions(ctx context.Context, user string) error
}

// Server is the Fiber app plus the record of each route's policy.
type Server struct {
	App      *fiber.App
	cfg      Config
	sessions Sessions
	log      *slog.Logger
	policies map[string]account.Policy
	csrfKey  []byte
}

const (
	sessionCookie = "raporrb_sesi"
	csrfCookie    = "raporrb_csrf"
	csrfField     = "_csrf"
	localUser     = "user"
	localCSRF     = "csrf"
	// throttleEntries bounds the in-memory login throttle (keys: addresses and accounts).
	throttleEntries = 100_000
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
	if cfg.LoginDelayMax == 0 {
		cfg.LoginDelayMax = 10 * time.Second
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepCtx
	}
	if cfg.RequestTimeout == 0 {
		cfg.RequestTimeout = 30 * time.Second
	}
	if cfg.BodyLimit == 0 {
		cfg.BodyLimit = 256 << 10
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
	if cfg.Throttle == nil {
		cfg.Throttle = NewMemoryStorage(throttleEntries, nil)
	}
	csrfKey := cfg.CSRFKey
	if len(csrfKey) < 32 {
		csrfKey = make([]byte, 32)
		_, _ = rand.Read(csrfKey) // crypto/rand.Read never fails (Go 1.24+)
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
	s := &Server{cfg: cfg, sessions: sessions, log: cfg.Logger, policies: map[string]account.Policy{}, csrfKey: csrfKey}
	proxies := make([]string, len(cfg.TrustedProxies))
	for i, p := range cfg.TrustedProxies {
		proxies[i] = p.String()
	}
	s.App = fiber.New(fiber.Config{
		Views:        engine,
		ErrorHandler: s.handleError,
		// Bodies are never buffered by fasthttp beyond its first 8 KB: every route's first
		// handler (body) reads them with the route's limit, or hands an upload's stream to
		// its handler; multipart bodies are never parsed ahead (no temporary files).
		BodyLimit:                    cfg.BodyLimit,
		StreamRequestBody:            true,
		DisablePreParseMultipartForm: true,
		// /API/v1/… is not /api/v1/…: one spelling per route, and the API's rules (bearer
		// only, JSON errors) follow the routed path.
		CaseSensitive: true,
		// X-Forwarded-Proto (c.Protocol, hence Secure cookies) only from trusted proxies;
		// with none configured, from nobody.
		EnableTrustedProxyCheck: true,
		TrustedProxies:          proxies,
		DisableStartupMessage:   true,
		ReadTimeout:             time.Minute,
		WriteTimeout:            5 * time.Minute,
		IdleTimeout:             2 * time.Minute,
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
	s.App.Use(s.authenticate)
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

// isAPI reports whether the request was routed to an API route (a path under /api/, in the
// case the route was registered with).
func isAPI(c *fiber.Ctx) bool {
	api, _ := c.Locals(localAPI).(bool)
	return api
}

// requestContext bounds each request's database work; handlers use c.UserContext().
func (s *Server) requestContext(c *fiber.Ctx) error {
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.RequestTimeout)
	defer cancel()
	c.SetUserContext(ctx)
	err := c.Next()
	// Pages hold forms with a state that moves on (a review finalized, a token rotated): the
	// back button must not show a stale one from the browser's cache. A handler that can be
	// cached (with an ETag) says so itself.
	if strings.HasPrefix(string(c.Response().Header.ContentType()), fiber.MIMETextHTML) && len(c.Response().Header.Peek(fiber.HeaderCacheControl)) == 0 {
		c.Set(fiber.HeaderCacheControl, "no-store")
	}
	return err
}

// Router registers routes, each with its policy.
type Router struct {
	s      *Server
	prefix string
	// limit is the body limit of the routes registered through this router (0: the server's
	// BodyLimit); see WithBodyLimit.
	limit int
}

// Router returns the root router.
func (s *Server) Router() Router { return Router{s: s} }

// Group returns a router whose routes start with prefix.
func (r Router) Group(prefix string) Router {
	return Router{s: r.s, prefix: r.prefix + prefix, limit: r.limit}
}

// WithBodyLimit returns a router whose routes read bodies of at most n bytes (413 past it),
// below the server's BodyLimit: public forms that take a few fields.
func (r Router) WithBodyLimit(n int) Router {
	r.limit = n
	return r
}

// add registers a route behind the chain every route shares, in this order: body (the
// routed path decides API or page; 415 for a body type the route does not take; the body
// limit while reading; the "$"-key guard), guard (the policy: 401/403), checkCSRF (page
// routes' unsafe methods), then the route's own handlers.
func (r Router) add(method, path string, p account.Policy, acc accepts, hs ...fiber.Handler) {
	full := r.prefix + path
	if p.Name == "" {
		panic("web: route " + method + " " + full + " has no policy")
	}
	api := strings.HasPrefix(full, "/api/")
	if acc == 0 {
		acc = acceptForm
		if api {
			acc = acceptJSON
		}
	}
	r.s.policies[method+" "+full] = p
	limit := r.s.cfg.BodyLimit
	if r.limit > 0 && r.limit < limit {
		limit = r.limit
	}
	chain := []fiber.Handler{r.s.body(api, acc, limit), r.s.guard(p), r.s.passwordGate, r.s.checkCSRF(api)}
	r.s.App.Add(method, full, append(chain, hs...)...)
}

// Get registers a GET route (Fiber adds HEAD) guarded by p.
func (r Router) Get(path string, p account.Policy, hs ...fiber.Handler) {
	r.add(fiber.MethodGet, path, p, 0, hs...)
	r.s.policies[fiber.MethodHead+" "+r.prefix+path] = p
}

// Post registers a POST route guarded by p.
func (r Router) Post(path string, p account.Policy, hs ...fiber.Handler) {
	r.add(fiber.MethodPost, path, p, 0, hs...)
}

// Put registers a PUT route guarded by p.
func (r Router) Put(path string, p account.Policy, hs ...fiber.Handler) {
	r.add(fiber.MethodPut, path, p, 0, hs...)
}

// Patch registers a PATCH route guarded by p.
func (r Router) Patch(path string, p account.Policy, hs ...fiber.Handler) {
	r.add(fiber.MethodPatch, path, p, 0, hs...)
}

// Delete registers a DELETE route guarded by p.
func (r Router) Delete(path string, p account.Policy, hs ...fiber.Handler) {
	r.add(fiber.MethodDelete, path, p, 0, hs...)
}

// Upload registers a POST route that also takes a multipart/form-data body, streamed to the
// handler (UploadBody) with the upload limit instead of read with the body limit. It is the
// only way a route accepts multipart: evidence uploads, and any later file import.
func (r Router) Upload(path string, p account.Policy, hs ...fiber.Handler) {
	acc := acceptForm | acceptMultipart
	if strings.HasPrefix(r.prefix+path, "/api/") {
		acc = acceptJSON | acceptMultipart
	}
	r.add(fiber.MethodPost, path, p, acc, hs...)
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
			if isAPI(c) || c.Method() != fiber.MethodGet || IsHtmx(c) {
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
