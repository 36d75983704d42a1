package main

// Noise IKpsk2 handshake (PROTOCOL.md §3) and the transport framing (§4),
// exposed as a net.Conn carrying the decrypted byte stream.

import (
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"sync"

	"github.com/flynn/noise"
)

// prologue is "hyperion-vpn" followed by the protocol version 1 as a u16.
var prologue = []byte("hyperion-vpn\x00\x01")

var cipherSuite = noise.NewCipherSuite(noise.DH25519, noise.CipherChaChaPoly, noise.HashBLAKE2s)

const (
	maxHandshakeLen = 4096
	maxPlaintext    = 16384
	tagLen          = 16
	minFrameLen     = tagLen
	maxFrameLen     = maxPlaintext + tagLen // 16400
	msg1Len         = 96
	msg2Len         = 48
)

func noiseConfig(initiator bool, static noise.DHKey, peerStatic, psk []byte) noise.Config {
	return noise.Config{
		CipherSuite:           cipherSuite,
		Pattern:               noise.HandshakeIK,
		Initiator:             initiator,
		Prologue:              prologue,
		PresharedKey:          psk,
		PresharedKeyPlacement: 2,
		StaticKeypair:         static,
		PeerStatic:            peerStatic,
	}
}

// countingReader remembers how many bytes were read, so a failed handshake can
// say whether the peer answered at all.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func writeHandshakeMsg(w io.Writer, msg []byte) error {
	buf := make([]byte, 2+len(msg))
	binary.BigEndian.PutUint16(buf, uint16(len(msg)))
	copy(buf[2:], msg)
	_, err := w.Write(buf)
	return err
}

func readHandshakeMsg(r io.Reader) ([]byte, error) {
	var lenBuf [2]byte
	if _, err := io.ReadFull(r, lenBuf[:]); err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint16(lenBuf[:]))
	if n < 1 || n > maxHandshakeLen {
		return nil, fmt.Errorf("handshake message length %d outside 1..%d", n, maxHandshakeLen)
	}
	msg := make([]byte, n)
	if _, err := io.ReadFull(r, msg); err != nil {
		return nil, err
	}
	return msg, nil
}

// ClientHandshake runs the initiator side over conn. The caller sets deadlines.
func ClientHandshake(conn net.Conn, static noise.DHKey, serverPub, psk []byte) (*NoiseConn, error) {
	hs, err := noise.NewHandshakeState(noiseConfig(true, static, serverPub, psk))
	if err != nil {
		return nil, err
	}
	msg1, _, _, err := hs.WriteMessage(nil, nil)
	if err != nil {
		return nil, err
	}
	if err := writeHandshakeMsg(conn, msg1); err != nil {
		return nil, fmt.Errorf("send handshake message 1: %w", err)
	}
	cr := &countingReader{r: conn}
	msg2, err := readHandshakeMsg(cr)
	if err != nil {
		if cr.n == 0 && (errors.Is(err, io.EOF) || isConnReset(err)) {
			return nil, fmt.Errorf("server closed the connection without replying (0 bytes received): %v", err)
		}
		return nil, fmt.Errorf("read handshake message 2 (%d bytes received): %w", cr.n, err)
	}
	if len(msg2) != msg2Len {
		return nil, fmt.Errorf("handshake message 2 is %d bytes, want %d", len(msg2), msg2Len)
	}
	payload, send, recv, err := hs.ReadMessage(nil, msg2)
	if err != nil {
		return nil, fmt.Errorf("handshake message 2 did not decrypt (wrong PSK?): %v", err)
	}
	if len(payload) != 0 {
		return nil, fmt.Errorf("handshake message 2 has a %d-byte payload, v1 requires empty", len(payload))
	}
	if send == nil || recv == nil {
		return nil, errors.New("handshake did not complete after message 2")
	}
	// Initiator sends with the first CipherState, receives with the second.
	return newNoiseConn(conn, send, recv), nil
}

// ServerHandshake runs the responder side. allowed is the admin allowlist. On
// any failure before message 2 is written, nothing is sent; the caller closes.
func ServerHandshake(conn net.Conn, static noise.DHKey, psk []byte, allowed [][]byte) (*NoiseConn, []byte, error) {
	hs, err := noise.NewHandshakeState(noiseConfig(false, static, nil, psk))
	if err != nil {
		return nil, nil, err
	}
	msg1, err := readHandshakeMsg(conn)
	if err != nil {
		return nil, nil, fmt.Errorf("read handshake message 1: %w", err)
	}
	payload, _, _, err := hs.ReadMessage(nil, msg1)
	if err != nil {
		return nil, nil, fmt.Errorf("handshake message 1 (%d bytes) did not decrypt: %v", len(msg1), err)
	}
	peer := append([]byte(nil), hs.PeerStatic()...)
	if !keyAllowed(peer, allowed) {
		return nil, peer, fmt.Errorf("initiator static key %s is not in the admin allowlist", b64(peer))
	}
	if len(msg1) != msg1Len {
		return nil, peer, fmt.Errorf("handshake message 1 is %d bytes, want %d", len(msg1), msg1Len)
	}
	if len(payload) != 0 {
		return nil, peer, fmt.Errorf("handshake message 1 has a %d-byte payload, v1 requires empty", len(payload))
	}
	msg2, cs1, cs2, err := hs.WriteMessage(nil, nil)
	if err != nil {
		return nil, peer, err
	}
	if err := writeHandshakeMsg(conn, msg2); err != nil {
		return nil, peer, fmt.Errorf("send handshake message 2: %w", err)
	}
	// Responder sends with the second CipherState, receives with the first.
	return newNoiseConn(conn, cs2, cs1), peer, nil
}

// keyAllowed compares against every entry in constant time, without an early exit.
func keyAllowed(key []byte, allowed [][]byte) bool {
	found := 0
	for _, a := range allowed {
		found |= subtle.ConstantTimeCompare(key, a)
	}
	return found == 1
}

// NoiseConn is a net.Conn whose bytes travel as PROTOCOL.md §4 transport frames.
// Reads and writes may run concurrently; concurrent writers are serialised.
type NoiseConn struct {
	net.Conn
	wmu  sync.Mutex
	send *noise.CipherState
	wbuf []byte

	rmu     sync.Mutex
	recv    *noise.CipherState
	rframe  []byte
	pending []byte // decrypted bytes not yet returned
	rerr    error
}

func newNoiseConn(c net.Conn, send, recv *noise.CipherState) *NoiseConn {
	return &NoiseConn{Conn: c, send: send, recv: recv, rframe: make([]byte, maxFrameLen)}
}

// Write encrypts p in chunks of at most 16384 bytes and sends all the frames
// with one write on the underlying connection.
func (c *NoiseConn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	written := 0 // plaintext bytes whose frames reached the connection
	for len(p) > 0 {
		// Bound one syscall's buffer to ~16 frames.
		c.wbuf = c.wbuf[:0]
		batch := 0
		for i := 0; i < 16 && len(p) > 0; i++ {
			n := len(p)
			if n > maxPlaintext {
				n = maxPlaintext
			}
			off := len(c.wbuf)
			c.wbuf = append(c.wbuf, 0, 0)
			var err error
			c.wbuf, err = c.send.Encrypt(c.wbuf, nil, p[:n])
			if err != nil {
				return written, err
			}
			binary.BigEndian.PutUint16(c.wbuf[off:], uint16(len(c.wbuf)-off-2))
			p = p[n:]
			batch += n
		}
		if _, err := c.Conn.Write(c.wbuf); err != nil {
			return written, err
		}
		written += batch
	}
	return written, nil
}

// Read returns decrypted bytes; frame boundaries carry no meaning.
func (c *NoiseConn) Read(p []byte) (int, error) {
	c.rmu.Lock()
	defer c.rmu.Unlock()
	for len(c.pending) == 0 {
		if c.rerr != nil {
			return 0, c.rerr
		}
		if err := c.readFrame(); err != nil {
			c.rerr = err
			return 0, err
		}
	}
	n := copy(p, c.pending)
	c.pending = c.pending[n:]
	return n, nil
}

func (c *NoiseConn) readFrame() error {
	var lenBuf [2]byte
	if _, err := io.ReadFull(c.Conn, lenBuf[:]); err != nil {
		return err // io.EOF at a frame boundary is a clean end
	}
	n := int(binary.BigEndian.Uint16(lenBuf[:]))
	if n < minFrameLen || n > maxFrameLen {
		c.Conn.Close()
		return fmt.Errorf("transport frame length %d outside %d..%d", n, minFrameLen, maxFrameLen)
	}
	frame := c.rframe[:n]
	if _, err := io.ReadFull(c.Conn, frame); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	// Decrypt in place: the plaintext overwrites the start of the frame buffer.
	pt, err := c.recv.Decrypt(frame[:0], nil, frame)
	if err != nil {
		c.Conn.Close()
		return fmt.Errorf("transport frame did not authenticate: %v", err)
	}
	c.pending = pt
	return nil
}
