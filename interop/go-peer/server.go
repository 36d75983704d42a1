package main

import (
	"encoding/binary"
	"fmt"
	"io"
	"log"
	"net"
	"strconv"
	"time"

	"github.com/flynn/noise"
	"github.com/hashicorp/yamux"
)

type serverConfig struct {
	listen           string
	static           noise.DHKey
	psk              []byte
	admins           [][]byte
	allow            map[uint16]bool
	handshakeTimeout time.Duration
	dialTimeout      time.Duration
}

func runServer(cfg *serverConfig) error {
	ln, err := net.Listen("tcp", cfg.listen)
	if err != nil {
		return err
	}
	log.Printf("server: listening on %s, server public key %s, %d admin key(s), allow %v",
		ln.Addr(), b64(cfg.static.Public), len(cfg.admins), sortedPorts(cfg.allow))
	for {
		c, err := ln.Accept()
		if err != nil {
			return err
		}
		go serveConn(cfg, c)
	}
}

func serveConn(cfg *serverConfig, c net.Conn) {
	tag := "server conn " + c.RemoteAddr().String()
	log.Printf("%s: accepted", tag)
	c.SetDeadline(time.Now().Add(cfg.handshakeTimeout))
	nc, peer, err := ServerHandshake(c, cfg.static, cfg.psk, cfg.admins)
	if err != nil {
		log.Printf("%s: handshake failed, closing without reply: %v", tag, err)
		c.Close()
		return
	}
	c.SetDeadline(time.Time{})
	log.Printf("%s: handshake ok, admin %s", tag, b64(peer))

	m := newMuxConn(nc, tag)
	sess, err := yamux.Server(m, yamuxConfig(tag))
	if err != nil {
		log.Printf("%s: yamux: %v", tag, err)
		c.Close()
		return
	}
	for {
		s, err := sess.AcceptStream()
		if err != nil {
			log.Printf("%s: tunnel closed: %v", tag, err)
			sess.Close()
			return
		}
		go serveStream(cfg, tag, m, s)
	}
}

func serveStream(cfg *serverConfig, connTag string, m *muxConn, s *yamux.Stream) {
	tag := fmt.Sprintf("%s stream %d", connTag, s.StreamID())
	var pb [2]byte
	s.SetReadDeadline(time.Now().Add(30 * time.Second))
	if _, err := io.ReadFull(s, pb[:]); err != nil {
		log.Printf("%s: reading the target port: %v", tag, err)
		m.reset(s)
		return
	}
	s.SetReadDeadline(time.Time{})
	port := binary.BigEndian.Uint16(pb[:])

	answer := func(b byte) bool {
		log.Printf("%s: port %d -> answer %s", tag, port, answerText(b))
		if _, err := s.Write([]byte{b}); err != nil {
			log.Printf("%s: writing the answer: %v", tag, err)
			m.reset(s)
			return false
		}
		return true
	}

	if !cfg.allow[port] {
		if answer(1) {
			s.Close() // FIN; nothing more will be read
		}
		return
	}
	target := net.JoinHostPort("127.0.0.1", strconv.Itoa(int(port)))
	tc, err := net.DialTimeout("tcp", target, cfg.dialTimeout)
	if err != nil {
		log.Printf("%s: dial %s: %v", tag, target, err)
		if answer(2) {
			s.Close()
		}
		return
	}
	if !answer(0) {
		tc.Close()
		return
	}
	up, down, err := relay(m, s, tc)
	if err != nil {
		log.Printf("%s: relay ended with error after %d bytes to target, %d bytes from target: %v", tag, down, up, err)
		return
	}
	log.Printf("%s: closed cleanly (%d bytes to target, %d bytes from target)", tag, down, up)
}
