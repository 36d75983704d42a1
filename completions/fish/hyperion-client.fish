function __hyperion-client_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __hyperion-client_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __hyperion-client_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __hyperion-client_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __hyperion-client_parse_tokens -S
    set -l unparsed_tokens (__hyperion-client_tokens -pc)
    switch $unparsed_tokens[1]
    case 'hyperion-client'
        __hyperion-client_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'run'
            __hyperion-client_parse_subcommand 0 'config=' 'L=+' 'D=' 'log-level=' 'version' 'h/help'
        case 'connect'
            __hyperion-client_parse_subcommand 2 'config=' 'log-level=' 'version' 'h/help'
        case 'ssh-config'
            __hyperion-client_parse_subcommand 0 'config=' 'version' 'h/help'
        case 'keygen'
            __hyperion-client_parse_subcommand 0 'out=' 'version' 'h/help'
        case 'doctor'
            __hyperion-client_parse_subcommand 0 'config=' 'log-level=' 'version' 'h/help'
        case 'tun'
            __hyperion-client_parse_subcommand 0 'config=' 'tun-addr=' 'prefix=' 'mtu=' 'log-level=' 'version' 'h/help'
        case 'print-routes'
            __hyperion-client_parse_subcommand 0 'config=' 'dev=' 'mark=' 'table=' 'down' 'version' 'h/help'
        case 'init'
            __hyperion-client_parse_subcommand 0 'force' 'version' 'h/help'
        case 'add-server'
            __hyperion-client_parse_subcommand 3 'version' 'h/help'
        case 'rm-server'
            __hyperion-client_parse_subcommand 1 'version' 'h/help'
        case 'ls'
            __hyperion-client_parse_subcommand 0 'version' 'h/help'
        case 'up'
            __hyperion-client_parse_subcommand 0 'config=' 'foreground' 'log-level=' 'version' 'h/help'
        case 'down'
            __hyperion-client_parse_subcommand 0 'version' 'h/help'
        case 'status'
            __hyperion-client_parse_subcommand 0 'config=' 'json' 'version' 'h/help'
        case 'help'
            __hyperion-client_parse_subcommand -r 1 'version'
        end
    end
end

function __hyperion-client_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __hyperion-client_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __hyperion-client_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __hyperion-client_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__hyperion-client_tokens -p)
    if test -z "$(__hyperion-client_tokens -t)"
        set -l index (count (__hyperion-client_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'hyperion-client' -f
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client" version' -l 'version' -d 'Show the version.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_positional "hyperion-client" -eq 1' -fa 'run' -d 'Forward local ports (-L) and a SOCKS5 listener (-D) to services on the servers, in the foreground.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_positional "hyperion-client" -eq 1' -fa 'connect' -d 'Join standard input and output to one stream, for ssh\'s ProxyCommand.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_positional "hyperion-client" -eq 1' -fa 'ssh-config' -d 'Print an ssh_config block that reaches every server through `connect` (Host *.hyperion and Host NAME).'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_positional "hyperion-client" -eq 1' -fa 'keygen' -d 'Generate the admin\'s static X25519 key pair and print its public key.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_positional "hyperion-client" -eq 1' -fa 'doctor' -d 'Check knock, TCP connect, handshake and ping against every server; forward nothing.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_positional "hyperion-client" -eq 1' -fa 'tun' -d 'L3 TUN mode: reach every server at its real or fake IP, any port its server allows (Linux, CAP_NET_ADMIN).'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_positional "hyperion-client" -eq 1' -fa 'print-routes' -d 'Print a sh script of ip route / ip rule commands that send server IPs through the TUN.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_positional "hyperion-client" -eq 1' -fa 'init' -d 'Generate the admin key and config; print the admin public key and the shared salt (managed mode).'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_positional "hyperion-client" -eq 1' -fa 'add-server' -d 'Add a server by name, address and public key; it gets a stable fake IP (managed mode).'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_positional "hyperion-client" -eq 1' -fa 'rm-server' -d 'Remove a server (managed mode).'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_positional "hyperion-client" -eq 1' -fa 'ls' -d 'List servers and their fake IPs (managed mode).'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_positional "hyperion-client" -eq 1' -fa 'up' -d 'Start the managed tunnel: every server at its fake IP on hyperion0 (needs root).'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_positional "hyperion-client" -eq 1' -fa 'down' -d 'Stop the managed tunnel: open streams drain, then hyperion0 goes away.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_positional "hyperion-client" -eq 1' -fa 'status' -d 'Show each server: fake IP, address, state, connections, streams, bytes, handshake age, ping.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_positional "hyperion-client" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client run" config' -l 'config' -d 'Client config file (default: client.toml in the user config directory).' -rfka ''
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client run"' -s 'L' -d 'An extra forward, [addr:]lport:server:rport (addr defaults to 127.0.0.1). Repeatable.' -rfka ''
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client run" D' -s 'D' -d 'A SOCKS5 listener, [addr:]port (addr defaults to 127.0.0.1), instead of [socks] listen. CONNECT only, no authentication; the host is a server\'s name, NAME.hyperion, its address or fake address, the port the port on its loopback.' -rfka ''
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client run" log-level' -l 'log-level' -d 'trace, debug, info, notice (default), warning, error or critical. Overrides HYPERION_LOG.' -rfka ''
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client run" version' -l 'version' -d 'Show the version.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client run" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client connect" config' -l 'config' -d 'Client config file (default: client.toml in the user config directory).' -rfka ''
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client connect" log-level' -l 'log-level' -d 'Log level on stderr (default: warning).' -rfka ''
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client connect" version' -l 'version' -d 'Show the version.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client connect" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client ssh-config" config' -l 'config' -d 'Client config file (default: client.toml in the user config directory); it goes into the printed commands.' -rfka ''
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client ssh-config" version' -l 'version' -d 'Show the version.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client ssh-config" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client keygen" out' -l 'out' -d 'Write the secret key to this new file (mode 0600).' -rfka ''
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client keygen" version' -l 'version' -d 'Show the version.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client keygen" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client doctor" config' -l 'config' -d 'Client config file.' -rfka ''
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client doctor" log-level' -l 'log-level' -d 'Log level for the checks themselves (default: error).' -rfka ''
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client doctor" version' -l 'version' -d 'Show the version.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client doctor" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client tun" config' -l 'config' -d 'Client config file.' -rfka ''
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client tun" tun-addr' -l 'tun-addr' -d 'IPv4 address of the TUN device (default: [tun] addr, else 10.99.0.1).' -rfka ''
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client tun" prefix' -l 'prefix' -d 'Prefix length of that address (default: [tun] prefix, else 24).' -rfka ''
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client tun" mtu' -l 'mtu' -d 'MTU of the device (default: [tun] mtu, else 65535).' -rfka ''
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client tun" log-level' -l 'log-level' -d 'trace, debug, info, notice (default), warning, error or critical. Overrides HYPERION_LOG.' -rfka ''
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client tun" version' -l 'version' -d 'Show the version.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client tun" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client print-routes" config' -l 'config' -d 'Client config file.' -rfka ''
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client print-routes" dev' -l 'dev' -d 'TUN device name (default: [tun] name, else hyperion0).' -rfka ''
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client print-routes" mark' -l 'mark' -d 'The tunnel sockets\' SO_MARK (default: [tun] mark, else mark, else 0x6879 = 26745).' -rfka ''
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client print-routes" table' -l 'table' -d 'Routing table number (default: [tun] table, else 26745).' -rfka ''
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client print-routes" down' -l 'down' -d 'Print the commands that remove the routes instead.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client print-routes" version' -l 'version' -d 'Show the version.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client print-routes" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client init" force' -l 'force' -d 'Replace an existing config and admin key (servers then need the new public key).'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client init" version' -l 'version' -d 'Show the version.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client init" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client add-server" version' -l 'version' -d 'Show the version.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client add-server" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client rm-server" version' -l 'version' -d 'Show the version.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client rm-server" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client ls" version' -l 'version' -d 'Show the version.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client ls" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client up" config' -l 'config' -d 'Client config file (default: client.toml in the user config directory).' -rfka ''
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client up" foreground' -l 'foreground' -d 'Run in the current shell instead of detaching (for systemd, or to watch the log).'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client up" log-level' -l 'log-level' -d 'trace, debug, info, notice (default), warning, error or critical. Overrides HYPERION_LOG.' -rfka ''
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client up" version' -l 'version' -d 'Show the version.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client up" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client down" version' -l 'version' -d 'Show the version.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client down" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client status" config' -l 'config' -d 'Client config file, for the table shown while the daemon is down.' -rfka ''
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client status" json' -l 'json' -d 'Print the status as JSON.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client status" version' -l 'version' -d 'Show the version.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'hyperion-client' -n '__hyperion-client_should_offer_completions_for_flags_or_options "hyperion-client help" version' -l 'version' -d 'Show the version.'
