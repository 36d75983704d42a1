package main

// yamux over the Noise byte stream (PROTOCOL.md §5) and the relay used on both
// sides (§6).
//
// Half-close workaround. Debian's hashicorp/yamux (snapshot 2019-09-23) makes
// Stream.Read return io.EOF as soon as the stream was closed locally and its
// receive buffer is momentarily empty (fixed upstream in v0.1.2, PR #131). A
// relay that calls Stream.Close() when its TCP side reaches EOF would therefore
// lose the data the peer still sends the other way. So this peer never calls
// Close() to half-close: muxConn, which sits between yamux and the Noise
// connection and parses the outgoing yamux frames, injects the FIN (or RST)
// frame itself at a frame boundary, and later strips the FIN from the frame
// that the final Close() produces so the peer sees exactly one FIN.

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/yamux"
)

const (
	yHeaderLen = 12

	yTypeData   = 0
	yTypeWindow = 1
	yTypePing   = 2
	yTypeGoAway = 3

	yFlagSYN = 1
	yFlagACK = 2
	yFlagFIN = 4
	yFlagRST = 8
)

var traceYamux bool

func yamuxConfig(tag string) *yamux.Config {
	cfg := yamux.DefaultConfig() // AcceptBacklog 256, keepalive 30 s, window 256 KiB
	cfg.MaxStreamWindowSize = 256 * 1024
	cfg.LogOutput = nil
	cfg.Logger = log.New(&yamuxLogFilter{tag: tag}, "", 0)
	return cfg
}

// yamuxLogFilter forwards yamux's own log lines to our log, minus the noise
// it prints on every ordinary session end.
type yamuxLogFilter struct{ tag string }

func (f *yamuxLogFilter) Write(p []byte) (int, error) {
	line := strings.TrimSpace(string(p))
	for _, benign := range []string{"EOF", "use of closed network connection", "connection reset by peer", "broken pipe", "session shutdown"} {
		if strings.Contains(line, benign) {
			return len(p), nil
		}
	}
	if strings.Contains(line, "frame for missing stream") && strings.Contains(line, "Type:1 Flags:0 ") {
		return len(p), nil // a window update racing the stream's close: harmless
	}
	log.Printf("%s: %s", f.tag, line)
	return len(p), nil
}

func describeHeader(h []byte) string {
	names := []string{"DATA", "WINDOW", "PING", "GOAWAY"}
	t := fmt.Sprintf("type%d", h[1])
	if int(h[1]) < len(names) {
		t = names[h[1]]
	}
	fl := binary.BigEndian.Uint16(h[2:4])
	var fs []string
	for i, n := range []string{"SYN", "ACK", "FIN", "RST"} {
		if fl&(1<<uint(i)) != 0 {
			fs = append(fs, n)
		}
	}
	return fmt.Sprintf("v%d %s flags=%s stream=%d len=%d", h[0], t, strings.Join(fs, "|"),
		binary.BigEndian.Uint32(h[4:8]), binary.BigEndian.Uint32(h[8:12]))
}

// frameTracker follows yamux framing in one direction of the byte stream.
type frameTracker struct {
	hdr      [yHeaderLen]byte
	hdrN     int
	bodyLeft uint32
}

func (t *frameTracker) atBoundary() bool { return t.hdrN == 0 && t.bodyLeft == 0 }

// muxConn is the io.ReadWriteCloser handed to yamux.
type muxConn struct {
	*NoiseConn
	tag string

	wmu      sync.Mutex
	out      frameTracker
	pending  [][yHeaderLen]byte // injected headers waiting for a frame boundary
	stripFIN map[uint32]bool    // streams whose FIN (or RST) we already sent
	wbuf     []byte
	synMax   uint32 // the highest stream id a SYN named so far
	synSent  int    // SYNs written
	synLate  int    // SYNs written after a SYN with a higher id
	hold     heldStream

	in frameTracker // only touched by yamux's single reader goroutine
}

// heldStream keeps back every frame of one stream, from its SYN on, until a
// number of other streams' SYNs have left (load --hold-first-syn).
type heldStream struct {
	armed   int    // > 0: hold the next stream that opens, until this many others opened
	id      uint32 // the stream held, 0 if none
	left    int    // other SYNs still to pass before the release
	frames  []byte // its frames, in order
	inFrame bool   // the frame being written belongs to it
	release bool   // release at the next frame boundary
}

func newMuxConn(nc *NoiseConn, tag string) *muxConn {
	return &muxConn{NoiseConn: nc, tag: tag, stripFIN: map[uint32]bool{}}
}

func (m *muxConn) Read(p []byte) (int, error) {
	n, err := m.NoiseConn.Read(p)
	if traceYamux && n > 0 {
		m.in.scan(p[:n], func(h []byte) { log.Printf("%s: yamux <- %s", m.tag, describeHeader(h)) })
	}
	return n, err
}

// scan walks b, calling onHeader for every complete header (trace only).
func (t *frameTracker) scan(b []byte, onHeader func([]byte)) {
	for len(b) > 0 {
		if t.bodyLeft > 0 {
			n := uint32(len(b))
			if n > t.bodyLeft {
				n = t.bodyLeft
			}
			t.bodyLeft -= n
			b = b[n:]
			continue
		}
		c := copy(t.hdr[t.hdrN:], b)
		t.hdrN += c
		b = b[c:]
		if t.hdrN == yHeaderLen {
			t.hdrN = 0
			if t.hdr[1] == yTypeData {
				t.bodyLeft = binary.BigEndian.Uint32(t.hdr[8:12])
			}
			onHeader(t.hdr[:])
		}
	}
}

// Write forwards yamux's output, dropping the FIN of streams already
// half-closed by injection, and flushes injected headers at frame boundaries.
func (m *muxConn) Write(p []byte) (int, error) {
	m.wmu.Lock()
	defer m.wmu.Unlock()
	m.wbuf = m.wbuf[:0]
	t := &m.out
	b := p
	for len(b) > 0 {
		if t.bodyLeft > 0 {
			n := uint32(len(b))
			if n > t.bodyLeft {
				n = t.bodyLeft
			}
			if m.hold.inFrame {
				m.hold.frames = append(m.hold.frames, b[:n]...)
			} else {
				m.wbuf = append(m.wbuf, b[:n]...)
			}
			t.bodyLeft -= n
			b = b[n:]
		} else {
			c := copy(t.hdr[t.hdrN:], b)
			t.hdrN += c
			b = b[c:]
			if t.hdrN < yHeaderLen {
				continue
			}
			t.hdrN = 0
			h := t.hdr
			typ := h[1]
			flags := binary.BigEndian.Uint16(h[2:4])
			id := binary.BigEndian.Uint32(h[4:8])
			length := binary.BigEndian.Uint32(h[8:12])
			if typ == yTypeData {
				t.bodyLeft = length
			}
			isStream := typ == yTypeData || typ == yTypeWindow
			if isStream && flags&yFlagSYN != 0 {
				m.noteSYN(id)
			}
			m.hold.inFrame = isStream && m.hold.id != 0 && id == m.hold.id
			if (typ == yTypeData || typ == yTypeWindow) && flags&yFlagFIN != 0 && m.stripFIN[id] {
				delete(m.stripFIN, id)
				flags &^= yFlagFIN
				binary.BigEndian.PutUint16(h[2:4], flags)
				if flags == 0 && length == 0 {
					if traceYamux {
						log.Printf("%s: yamux -> (dropped duplicate FIN for stream %d)", m.tag, id)
					}
					continue
				}
			}
			if m.hold.inFrame {
				if traceYamux {
					log.Printf("%s: yamux -> (held) %s", m.tag, describeHeader(h[:]))
				}
				m.hold.frames = append(m.hold.frames, h[:]...)
				continue
			}
			if traceYamux {
				log.Printf("%s: yamux -> %s", m.tag, describeHeader(h[:]))
			}
			m.wbuf = append(m.wbuf, h[:]...)
		}
		if t.atBoundary() {
			m.wbuf = m.appendPending(m.wbuf)
			if m.hold.release {
				m.wbuf = m.releaseHeld(m.wbuf)
			}
		}
	}
	if len(m.wbuf) > 0 {
		if _, err := m.NoiseConn.Write(m.wbuf); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// noteSYN sees a SYN that yamux wrote: it starts or counts down a hold, and
// counts the SYN unless it is held (under wmu).
func (m *muxConn) noteSYN(id uint32) {
	switch {
	case m.hold.armed > 0 && m.hold.id == 0:
		m.hold.id, m.hold.left, m.hold.armed = id, m.hold.armed, 0
		return
	case m.hold.id != 0 && id != m.hold.id:
		m.hold.left--
		if m.hold.left <= 0 {
			m.hold.release = true
		}
	}
	m.countSYN(id)
}

// holdNextStream keeps every frame of the next stream to open until `others`
// later streams sent their SYN, or until maxWait passed: the wire then looks
// as if that stream's goroutine had been descheduled between taking its id
// and sending its SYN, which hashicorp/yamux allows. It makes the
// out-of-order case certain instead of likely.
func (m *muxConn) holdNextStream(others int, maxWait time.Duration) {
	m.wmu.Lock()
	m.hold = heldStream{armed: others}
	m.wmu.Unlock()
	time.AfterFunc(maxWait, func() {
		m.wmu.Lock()
		defer m.wmu.Unlock()
		m.hold.armed = 0
		if m.hold.id == 0 {
			return
		}
		if !m.out.atBoundary() {
			m.hold.release = true // Write releases it after the current frame
			return
		}
		if buf := m.releaseHeld(nil); len(buf) > 0 {
			m.NoiseConn.Write(buf)
		}
	})
}

// releaseHeld appends the held frames to buf and ends the hold (under wmu).
func (m *muxConn) releaseHeld(buf []byte) []byte {
	if m.hold.id == 0 {
		return buf
	}
	if traceYamux {
		log.Printf("%s: yamux -> (released the %d held bytes of stream %d)", m.tag, len(m.hold.frames), m.hold.id)
	}
	m.countSYN(m.hold.id)
	buf = append(buf, m.hold.frames...)
	m.hold = heldStream{}
	return buf
}

// countSYN notes the order in which SYNs leave (under wmu).
func (m *muxConn) countSYN(id uint32) {
	m.synSent++
	if id < m.synMax {
		m.synLate++
	} else {
		m.synMax = id
	}
}

// synOrder reports how many SYNs were written, and how many of them after a
// SYN with a higher stream id: hashicorp/yamux sends each SYN from the opening
// goroutine, so concurrent opens leave in any order.
func (m *muxConn) synOrder() (sent, late int) {
	m.wmu.Lock()
	defer m.wmu.Unlock()
	return m.synSent, m.synLate
}

func (m *muxConn) appendPending(buf []byte) []byte {
	for _, h := range m.pending {
		if m.hold.id != 0 && binary.BigEndian.Uint32(h[4:8]) == m.hold.id {
			m.hold.frames = append(m.hold.frames, h[:]...) // stays behind its SYN
			continue
		}
		if traceYamux {
			log.Printf("%s: yamux -> %s (injected)", m.tag, describeHeader(h[:]))
		}
		buf = append(buf, h[:]...)
	}
	m.pending = m.pending[:0]
	return buf
}

// inject sends a zero-length window-update frame with the given flags on
// stream id, after every byte yamux has already handed to us.
func (m *muxConn) inject(id uint32, flags uint16) error {
	var h [yHeaderLen]byte
	h[1] = yTypeWindow
	binary.BigEndian.PutUint16(h[2:4], flags)
	binary.BigEndian.PutUint32(h[4:8], id)
	m.wmu.Lock()
	defer m.wmu.Unlock()
	m.stripFIN[id] = true
	m.pending = append(m.pending, h)
	if !m.out.atBoundary() {
		return nil // yamux is mid-frame; Write flushes it when that frame ends
	}
	buf := m.appendPending(nil)
	_, err := m.NoiseConn.Write(buf)
	return err
}

// halfClose sends FIN on the stream while keeping it readable locally.
func (m *muxConn) halfClose(s *yamux.Stream) error { return m.inject(s.StreamID(), yFlagFIN) }

// reset aborts the stream (RST) and releases it locally.
func (m *muxConn) reset(s *yamux.Stream) {
	m.inject(s.StreamID(), yFlagRST)
	s.Close()
}

type closeWriter interface{ CloseWrite() error }

// relay copies both ways between a yamux stream and a local TCP connection,
// propagating half-closes, and returns the byte counts (tcp->stream,
// stream->tcp) once both directions are done or one failed.
func relay(m *muxConn, s *yamux.Stream, c net.Conn) (up, down int64, err error) {
	var upN, downN int64
	errc := make(chan error, 2)
	var aborted int32
	abort := func(cause error) {
		if atomic.CompareAndSwapInt32(&aborted, 0, 1) {
			if errors.Is(cause, yamux.ErrConnectionReset) {
				s.Close() // the peer reset it: no RST back
			} else {
				m.reset(s)
			}
			c.Close()
		}
	}
	go func() { // local TCP -> stream
		n, err := io.Copy(s, c)
		atomic.AddInt64(&upN, n)
		if err == nil {
			err = m.halfClose(s)
		}
		if err != nil {
			abort(err)
			err = fmt.Errorf("local->tunnel: %v", err)
		}
		errc <- err
	}()
	go func() { // stream -> local TCP
		n, err := io.Copy(c, s)
		atomic.AddInt64(&downN, n)
		if err == nil {
			if cw, ok := c.(closeWriter); ok {
				err = cw.CloseWrite()
			}
		}
		if err != nil {
			abort(err)
			err = fmt.Errorf("tunnel->local: %v", err)
		}
		errc <- err
	}()
	e1, e2 := <-errc, <-errc
	if atomic.LoadInt32(&aborted) == 0 {
		s.Close() // both FINs exchanged: releases the stream; its FIN is stripped
		c.Close()
	}
	err = e1
	if err == nil {
		err = e2
	}
	return atomic.LoadInt64(&upN), atomic.LoadInt64(&downN), err
}

// answerText describes the §6 answer byte.
func answerText(b byte) string {
	switch b {
	case 0:
		return "0 (connected)"
	case 1:
		return "1 (denied: port not in the server's allowlist)"
	case 2:
		return "2 (unreachable: the server's dial failed)"
	}
	return fmt.Sprintf("%d (unknown answer)", b)
}
