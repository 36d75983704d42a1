package main

// load: many echo exchanges at once, then many in a row, each checked byte for
// byte. Either over one yamux session of its own to a tunnel server (--server),
// or as plain TCP connections to a port some tunnel client forwards (--connect).
//
// Two phases, each bounded in count and in time:
//   concurrent  N goroutines open a stream (or connection) each, all at once.
//               Each echoes a first piece, then waits until all N are open and
//               echoing at the same time, then sends the rest, half-closes and
//               reads the echo to its end.
//   churn       M short exchanges (open, request, echo reply, close) by P
//               workers in parallel.
// A summary line per phase goes to stderr; any failure exits 1.

import (
	"bytes"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	mrand "math/rand"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/yamux"
)

type loadConfig struct {
	concurrent    int
	concurrentLen int
	churn         int
	churnParallel int
	churnMaxLen   int
	timeout       time.Duration
	streamTimeout time.Duration
}

// loadLink is one stream or connection carrying one echo exchange.
type loadLink interface {
	io.ReadWriter
	CloseWrite() error
	SetDeadline(time.Time) error
	// finish releases a link whose exchange completed; abort one that failed.
	finish()
	abort()
}

func cmdLoad(args []string) error {
	fs := flag.NewFlagSet("load", flag.ExitOnError)
	connect := fs.String("connect", "", "plain TCP: HOST:PORT of a forwarded port that leads to an echo service")
	server := fs.String("server", "", "tunnel: server TCP address HOST:PORT (one session for everything)")
	serverPub := fs.String("server-pubkey", "", "tunnel: server public key (base64)")
	keyFile := fs.String("key-file", "", "tunnel: admin key file (base64 secret)")
	pskEnv := fs.String("psk-env", "", "tunnel: environment variable holding the base64 PSK")
	port := fs.Uint("port", 0, "tunnel: the server-side port of the echo service")
	cfg := loadConfig{}
	fs.IntVar(&cfg.concurrent, "concurrent", 256, "streams opened at once, each from its own goroutine (0: skip)")
	fs.IntVar(&cfg.concurrentLen, "concurrent-bytes", 16384, "bytes echoed per concurrent stream")
	fs.IntVar(&cfg.churn, "churn", 10000, "short streams opened and closed one after another (0: skip)")
	fs.IntVar(&cfg.churnParallel, "churn-parallel", 16, "churn workers")
	fs.IntVar(&cfg.churnMaxLen, "churn-bytes", 512, "largest request of a churned stream (1..N bytes)")
	fs.DurationVar(&cfg.timeout, "timeout", 50*time.Second, "time limit of each phase")
	fs.DurationVar(&cfg.streamTimeout, "stream-timeout", 20*time.Second, "time limit of one exchange")
	holdFirst := fs.Bool("hold-first-syn", false, "tunnel: keep the first concurrent stream's SYN (and its frames) back until all the others' SYNs left")
	trace := fs.Bool("trace-yamux", false, "log every yamux frame header (tunnel mode)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	traceYamux = *trace
	if cfg.concurrent < 0 || cfg.churn < 0 || cfg.churnParallel < 1 || cfg.concurrentLen < 2 || cfg.churnMaxLen < 1 {
		return errors.New("--concurrent and --churn must be >= 0, --churn-parallel and --churn-bytes >= 1, --concurrent-bytes >= 2")
	}

	var open func() (loadLink, error)
	done, beforeConcurrent := func() {}, func() {}
	switch {
	case *connect != "" && *server == "" && !*holdFirst:
		open = func() (loadLink, error) { return dialLoadTCP(*connect, cfg.streamTimeout) }
	case *server != "" && *connect == "":
		if *port == 0 || *port > 65535 {
			return errors.New("--port 1..65535 is required with --server")
		}
		tcfg := &clientConfig{server: *server, hsTimeout: 10 * time.Second, connectFor: 5 * time.Second}
		var err error
		if tcfg.serverPub, err = decodeKey("--server-pubkey", *serverPub); err != nil {
			return err
		}
		if tcfg.static, err = readKeyFile(*keyFile); err != nil {
			return err
		}
		if tcfg.psk, err = pskFromEnv(*pskEnv); err != nil {
			return err
		}
		t, err := openLoadTunnel(tcfg, uint16(*port), cfg.streamTimeout)
		if err != nil {
			return err
		}
		open = t.open
		done = t.close
		if *holdFirst && cfg.concurrent > 1 {
			beforeConcurrent = func() { t.m.holdNextStream(cfg.concurrent-1, 5*time.Second) }
		}
	default:
		return errors.New("give either --connect HOST:PORT or --server HOST:PORT (with its keys and --port); --hold-first-syn needs --server")
	}
	defer done()

	if cfg.concurrent > 0 {
		beforeConcurrent()
		stop := watchdog("concurrent", cfg)
		err := loadConcurrent(open, cfg)
		stop()
		if err != nil {
			return fmt.Errorf("concurrent: %v", err)
		}
	}
	if cfg.churn > 0 {
		stop := watchdog("churn", cfg)
		err := loadChurn(open, cfg)
		stop()
		if err != nil {
			return fmt.Errorf("churn: %v", err)
		}
	}
	return nil
}

// watchdog ends the process if a phase outlives its time limit by more than one
// exchange's: every read, write and dial has a deadline, but hashicorp's
// OpenStream has none (it waits for ACKs of earlier streams).
func watchdog(phase string, cfg loadConfig) (stop func()) {
	limit := cfg.timeout + cfg.streamTimeout + 5*time.Second
	t := time.AfterFunc(limit, func() {
		log.Printf("load: error: %s: still running after %v; giving up", phase, limit)
		os.Exit(1)
	})
	return func() { t.Stop() }
}

// ---- plain TCP ----

type loadTCP struct{ *net.TCPConn }

func dialLoadTCP(addr string, timeout time.Duration) (loadLink, error) {
	c, err := net.DialTimeout("tcp", addr, timeout)
	if err != nil {
		return nil, err
	}
	return loadTCP{c.(*net.TCPConn)}, nil
}

func (l loadTCP) finish() { l.Close() }
func (l loadTCP) abort()  { l.SetLinger(0); l.Close() }

// ---- one yamux session ----

type loadTunnel struct {
	sess    *yamux.Session
	m       *muxConn
	port    uint16
	timeout time.Duration
}

func openLoadTunnel(cfg *clientConfig, port uint16, timeout time.Duration) (*loadTunnel, error) {
	c, err := dialTunnel(cfg)
	if err != nil {
		return nil, fmt.Errorf("connect %s: %v", cfg.server, err)
	}
	tag := "load conn " + c.LocalAddr().String()
	c.SetDeadline(time.Now().Add(cfg.hsTimeout))
	nc, err := ClientHandshake(c, cfg.static, cfg.serverPub, cfg.psk)
	if err != nil {
		c.Close()
		return nil, fmt.Errorf("handshake with %s failed: %v", cfg.server, err)
	}
	c.SetDeadline(time.Time{})
	log.Printf("%s: handshake ok with %s", tag, cfg.server)
	m := newMuxConn(nc, tag)
	sess, err := yamux.Client(m, yamuxConfig(tag))
	if err != nil {
		c.Close()
		return nil, err
	}
	return &loadTunnel{sess: sess, m: m, port: port, timeout: timeout}, nil
}

func (t *loadTunnel) close() {
	sent, late := t.m.synOrder()
	log.Printf("load: the session sent %d SYNs, %d of them after a SYN with a higher stream id", sent, late)
	t.sess.Close()
}

type loadStream struct {
	*yamux.Stream
	m *muxConn
}

// open opens a stream, sends the port and waits for the answer (PROTOCOL.md §6).
func (t *loadTunnel) open() (loadLink, error) {
	s, err := t.sess.OpenStream()
	if err != nil {
		return nil, fmt.Errorf("open stream: %v", err)
	}
	l := loadStream{s, t.m}
	s.SetDeadline(time.Now().Add(t.timeout))
	var pb [2]byte
	binary.BigEndian.PutUint16(pb[:], t.port)
	if _, err := s.Write(pb[:]); err != nil {
		l.abort()
		return nil, fmt.Errorf("stream %d: writing the port: %v", s.StreamID(), err)
	}
	var ans [1]byte
	if _, err := io.ReadFull(s, ans[:]); err != nil {
		l.abort()
		return nil, fmt.Errorf("stream %d: no answer: %v", s.StreamID(), err)
	}
	if ans[0] != 0 {
		l.abort()
		return nil, fmt.Errorf("stream %d: answer %s", s.StreamID(), answerText(ans[0]))
	}
	return l, nil
}

// CloseWrite half-closes through muxConn: Debian's yamux cannot (see mux.go).
func (l loadStream) CloseWrite() error { return l.m.halfClose(l.Stream) }
func (l loadStream) finish()           { l.Stream.Close() }
func (l loadStream) abort()            { l.m.reset(l.Stream) }

// ---- the exchange ----

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return b
}

// echoRest sends payload, half-closes, and reads until EOF, at once (a large
// payload would otherwise deadlock against the echo); the reply must be
// payload exactly.
func echoRest(l loadLink, payload []byte) error {
	werr := make(chan error, 1)
	go func() {
		_, err := l.Write(payload)
		if err == nil {
			err = l.CloseWrite()
		}
		werr <- err
	}()
	got, rerr := io.ReadAll(io.LimitReader(l, int64(len(payload))+1))
	if err := <-werr; err != nil {
		return fmt.Errorf("write: %v", err)
	}
	if rerr != nil {
		return fmt.Errorf("read after %d of %d bytes: %v", len(got), len(payload), rerr)
	}
	return sameEcho(got, payload)
}

func sameEcho(got, want []byte) error {
	if bytes.Equal(got, want) {
		return nil
	}
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	return fmt.Errorf("echo differs: %d bytes back, %d sent, first difference at byte %d", len(got), len(want), i)
}

// errorList keeps the first few errors and counts the rest.
type errorList struct {
	mu    sync.Mutex
	first []string
	count int
}

func (e *errorList) add(err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.count++
	if len(e.first) < 5 {
		e.first = append(e.first, err.Error())
	}
}

func (e *errorList) err(total int) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.count == 0 {
		return nil
	}
	return fmt.Errorf("%d of %d failed; first: %s", e.count, total, strings.Join(e.first, "; "))
}

// barrier lets goroutines wait until all have arrived, or one gave up, or the
// deadline passed.
type barrier struct {
	mu      sync.Mutex
	waiting int
	all     chan struct{}
	broken  chan struct{}
	closed  bool
}

func newBarrier(n int) *barrier {
	return &barrier{waiting: n, all: make(chan struct{}), broken: make(chan struct{})}
}

func (b *barrier) arrive(deadline time.Time) error {
	b.mu.Lock()
	b.waiting--
	if b.waiting == 0 {
		close(b.all)
	}
	b.mu.Unlock()
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case <-b.all:
		return nil
	case <-b.broken:
		return errors.New("another stream failed before all were open")
	case <-timer.C:
		return errors.New("not all streams were open before the time limit")
	}
}

func (b *barrier) breakDown() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed {
		b.closed = true
		close(b.broken)
	}
}

func loadConcurrent(open func() (loadLink, error), cfg loadConfig) error {
	start := time.Now()
	deadline := start.Add(cfg.timeout)
	ready := make(chan struct{})
	together := newBarrier(cfg.concurrent)
	var errs errorList
	var wg sync.WaitGroup
	var live, peak int64
	for i := 0; i < cfg.concurrent; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			payload := randomBytes(cfg.concurrentLen + i)
			first, rest := payload[:1+i%(len(payload)-1)], payload[1+i%(len(payload)-1):]
			<-ready
			l, err := open()
			if err != nil {
				together.breakDown()
				errs.add(fmt.Errorf("#%d: %v", i, err))
				return
			}
			l.SetDeadline(deadline)
			n := atomic.AddInt64(&live, 1)
			for {
				p := atomic.LoadInt64(&peak)
				if n <= p || atomic.CompareAndSwapInt64(&peak, p, n) {
					break
				}
			}
			fail := func(err error) {
				together.breakDown()
				l.abort()
				errs.add(fmt.Errorf("#%d: %v", i, err))
			}
			// The first piece proves the stream works end to end before the wait.
			if _, err := l.Write(first); err != nil {
				fail(fmt.Errorf("write: %v", err))
				return
			}
			echoed := make([]byte, len(first))
			if _, err := io.ReadFull(l, echoed); err != nil {
				fail(fmt.Errorf("read of the first %d bytes: %v", len(first), err))
				return
			}
			if err := sameEcho(echoed, first); err != nil {
				fail(err)
				return
			}
			if err := together.arrive(deadline); err != nil {
				fail(err)
				return
			}
			if err := echoRest(l, rest); err != nil {
				fail(err)
				return
			}
			l.finish()
			atomic.AddInt64(&live, -1)
		}(i)
	}
	close(ready)
	wg.Wait()
	if err := errs.err(cfg.concurrent); err != nil {
		return err
	}
	log.Printf("load: concurrent: %d streams opened at once, all %d open together, each echoed byte-exact (%d bytes each or more) in %.2f s",
		cfg.concurrent, peak, cfg.concurrentLen, time.Since(start).Seconds())
	return nil
}

func loadChurn(open func() (loadLink, error), cfg loadConfig) error {
	start := time.Now()
	deadline := start.Add(cfg.timeout)
	var next, completed int64
	var stop int32
	var errs errorList
	var wg sync.WaitGroup
	for w := 0; w < cfg.churnParallel; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			rng := mrand.New(mrand.NewSource(int64(w) + time.Now().UnixNano()))
			for atomic.LoadInt32(&stop) == 0 {
				i := atomic.AddInt64(&next, 1)
				if i > int64(cfg.churn) {
					return
				}
				if time.Now().After(deadline) {
					errs.add(fmt.Errorf("time limit of %v reached after %d streams", cfg.timeout, atomic.LoadInt64(&completed)))
					atomic.StoreInt32(&stop, 1)
					return
				}
				if err := churnOne(open, randomBytes(1+rng.Intn(cfg.churnMaxLen)), cfg.streamTimeout); err != nil {
					errs.add(fmt.Errorf("#%d: %v", i, err))
					atomic.StoreInt32(&stop, 1)
					return
				}
				atomic.AddInt64(&completed, 1)
			}
		}(w)
	}
	wg.Wait()
	if err := errs.err(cfg.churn); err != nil {
		return err
	}
	elapsed := time.Since(start).Seconds()
	log.Printf("load: churn: %d short streams opened, echoed byte-exact and closed, %d at a time, in %.2f s (%.0f per second)",
		completed, cfg.churnParallel, elapsed, float64(completed)/elapsed)
	return nil
}

func churnOne(open func() (loadLink, error), payload []byte, timeout time.Duration) error {
	l, err := open()
	if err != nil {
		return err
	}
	l.SetDeadline(time.Now().Add(timeout))
	if err := echoRest(l, payload); err != nil {
		l.abort()
		return err
	}
	l.finish()
	return nil
}
