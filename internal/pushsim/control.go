package pushsim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"
)

// simRoutes are the report and control endpoints under /sim/. They need no
// signature.
var simRoutes = map[string]struct {
	method string
	serve  func(*Server, *http.Request) (any, error)
}{
	"/sim/stats":   {http.MethodGet, func(s *Server, _ *http.Request) (any, error) { return s.Stats(), nil }},
	"/sim/counts":  {http.MethodGet, func(s *Server, _ *http.Request) (any, error) { return s.Counts(), nil }},
	"/sim/reset":   {http.MethodPost, (*Server).serveReset},
	"/sim/advance": {http.MethodPost, (*Server).serveAdvance},
	"/sim/faults":  {http.MethodPost, (*Server).serveFaults},
	"/sim/qps":     {http.MethodPost, (*Server).serveQPS},
	"/sim/latency": {http.MethodPost, (*Server).serveLatency},
	// Added with the rules written from the documentation.
	"/sim/clock-skew":         {http.MethodPost, (*Server).serveClockSkew},
	"/sim/quotas":             {http.MethodPost, (*Server).serveQuotas},
	"/sim/stat-model":         {http.MethodPost, (*Server).serveStatModel},
	"/sim/max-url":            {http.MethodPost, (*Server).serveMaxURL},
	"/sim/credentials":        {http.MethodPost, (*Server).serveAddCredential},
	"/sim/credentials/remove": {http.MethodPost, (*Server).serveRemoveCredential},
}

// serveSim answers a request under /sim/ with JSON.
func (s *Server) serveSim(w http.ResponseWriter, r *http.Request) {
	route, ok := simRoutes[r.URL.Path]
	switch {
	case !ok:
		writeJSON(w, http.StatusNotFound, simError{"no such endpoint: " + r.URL.Path})
	case r.Method != route.method:
		w.Header().Set("Allow", route.method)
		writeJSON(w, http.StatusMethodNotAllowed, simError{r.URL.Path + " takes " + route.method})
	default:
		v, err := route.serve(s, r)
		if err != nil {
			writeJSON(w, http.StatusBadRequest, simError{err.Error()})
			return
		}
		writeJSON(w, http.StatusOK, v)
	}
}

// simError is the JSON of a refused control request.
type simError struct{ Error string }

// clockReport is the JSON answer of the clock controls.
type clockReport struct{ Now time.Time }

func (s *Server) serveReset(*http.Request) (any, error) {
	s.Reset()
	return clockReport{s.Now()}, nil
}

// serveAdvance moves the message clock by ?d= (a Go duration, e.g. 25h).
func (s *Server) serveAdvance(r *http.Request) (any, error) {
	d, err := time.ParseDuration(r.URL.Query().Get("d"))
	if err != nil {
		return nil, fmt.Errorf("d: %w", err)
	}
	s.Advance(d)
	return clockReport{s.Now()}, nil
}

// serveFaults sets all three fault rates from ?transient=&ambiguous=&throttle=
// (a missing one is 0).
func (s *Server) serveFaults(r *http.Request) (any, error) {
	var rates [3]float64
	for i, name := range []string{"transient", "ambiguous", "throttle"} {
		v, err := floatParam(r, name)
		if err != nil {
			return nil, err
		}
		rates[i] = v
	}
	if err := validateRates(rates[0], rates[1], rates[2]); err != nil {
		return nil, err
	}
	s.SetFaults(rates[0], rates[1], rates[2])
	return map[string]float64{"transient": rates[0], "ambiguous": rates[1], "throttle": rates[2]}, nil
}

// serveQPS sets the quota of ?action= to ?qps= with ?burst= (see SetQPS).
func (s *Server) serveQPS(r *http.Request) (any, error) {
	action := r.URL.Query().Get("action")
	if action == "" {
		return nil, fmt.Errorf("action is required")
	}
	qps, err := floatParam(r, "qps")
	if err != nil || qps < 0 {
		return nil, fmt.Errorf("qps must be a number >= 0")
	}
	burst := 0
	if b := r.URL.Query().Get("burst"); b != "" {
		if burst, err = strconv.Atoi(b); err != nil || burst < 0 {
			return nil, fmt.Errorf("burst must be an integer >= 0")
		}
	}
	s.SetQPS(action, qps, burst)
	return map[string]any{"action": action, "qps": qps, "burst": burst}, nil
}

// serveLatency sets the added latency to ?d= (a Go duration).
func (s *Server) serveLatency(r *http.Request) (any, error) {
	d, err := time.ParseDuration(r.URL.Query().Get("d"))
	if err != nil || d < 0 {
		return nil, fmt.Errorf("d must be a duration >= 0")
	}
	s.SetLatency(d)
	return map[string]string{"latency": d.String()}, nil
}

// serveClockSkew sets the server clock's skew to ?d= (a Go duration, may be
// negative).
func (s *Server) serveClockSkew(r *http.Request) (any, error) {
	d, err := time.ParseDuration(r.URL.Query().Get("d"))
	if err != nil {
		return nil, fmt.Errorf("d: %w", err)
	}
	s.SetClockSkew(d)
	return map[string]string{"skew": d.String()}, nil
}

// serveQuotas turns the documented quotas off (?off=true) or on (?off=false).
func (s *Server) serveQuotas(r *http.Request) (any, error) {
	off, err := strconv.ParseBool(r.URL.Query().Get("off"))
	if err != nil {
		return nil, fmt.Errorf("off must be true or false")
	}
	s.SetNoQuotas(off)
	return map[string]bool{"off": off}, nil
}

// serveStatModel sets QueryPushStatByMsg's model from ?received=&opened=
// (shares, a missing one is 0) and ?settle= (a Go duration, missing 0).
func (s *Server) serveStatModel(r *http.Request) (any, error) {
	received, err := floatParam(r, "received")
	if err != nil {
		return nil, err
	}
	opened, err := floatParam(r, "opened")
	if err != nil {
		return nil, err
	}
	if err := validateFractions(received, opened); err != nil {
		return nil, err
	}
	var settle time.Duration
	if v := r.URL.Query().Get("settle"); v != "" {
		if settle, err = time.ParseDuration(v); err != nil || settle < 0 {
			return nil, fmt.Errorf("settle must be a duration >= 0")
		}
	}
	s.SetStatModel(received, opened, settle)
	return map[string]any{"received": received, "opened": opened, "settle": settle.String()}, nil
}

// serveMaxURL sets the request URI bound to ?bytes= (0: none).
func (s *Server) serveMaxURL(r *http.Request) (any, error) {
	n, err := strconv.Atoi(r.URL.Query().Get("bytes"))
	if err != nil || n < 0 {
		return nil, fmt.Errorf("bytes must be an integer >= 0")
	}
	s.SetMaxURLBytes(n)
	return map[string]int{"bytes": n}, nil
}

// serveAddCredential adds or replaces the credential in the JSON body
// (Credential's fields; Expires in RFC 3339).
func (s *Server) serveAddCredential(r *http.Request) (any, error) {
	var c Credential
	dec := json.NewDecoder(io.LimitReader(r.Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("body: %w", err)
	}
	if err := s.AddCredential(c); err != nil {
		return nil, err
	}
	return map[string]string{"added": c.AccessKeyID}, nil
}

// serveRemoveCredential forgets the AccessKey ?id=.
func (s *Server) serveRemoveCredential(r *http.Request) (any, error) {
	id := r.URL.Query().Get("id")
	if !s.RemoveCredential(id) {
		return nil, fmt.Errorf("no credential %q", id)
	}
	return map[string]string{"removed": id}, nil
}

// floatParam returns the query parameter name of r as a number; missing is 0.
func floatParam(r *http.Request, name string) (float64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return 0, nil
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	return f, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
