package server

import (
	"net/http/httptest"
	"testing"

	"github.com/gofiber/fiber/v2"

	"github.com/rapor-rb/raporrb/app/web"
)

// Every route the app serves must have been registered with a policy. A route added straight
// on the Fiber app (bypassing web.Router) fails here, so a future route cannot forget it.
func TestEveryRouteHasAPolicy(t *testing.T) {
	srv := newServer(t, web.Config{})
	policies := srv.Policies()
	routes := srv.Routes()
	if len(routes) < 10 {
		t.Fatalf("only %d routes: %v", len(routes), routes)
	}
	for _, rt := range routes {
		if _, ok := policies[rt]; !ok {
			t.Errorf("route %s has no authorization policy", rt)
		}
	}
}

// A route mounted behind the router's back is caught by the same check.
func TestPolicyCheckCatchesUnguardedRoute(t *testing.T) {
	srv := newServer(t, web.Config{})
	srv.App.Get("/rahasia", func(c *fiber.Ctx) error { return c.SendString("bocor") })
	missing := 0
	for _, rt := range srv.Routes() {
		if _, ok := srv.Policies()[rt]; !ok {
			missing++
		}
	}
	if missing == 0 {
		t.Fatal("an unguarded route went unnoticed")
	}
	// And the guarded routes still refuse anonymous API calls.
	resp, err := srv.App.Test(httptest.NewRequest("GET", "/api/v1/instruments", nil))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 401 {
		t.Errorf("anonymous GET /api/v1/instruments = %d, want 401", resp.StatusCode)
	}
}
