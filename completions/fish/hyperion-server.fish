function __hyperion-server_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __hyperion-server_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __hyperion-server_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __hyperion-server_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __hyperion-server_parse_tokens -S
    set -l unparsed_tokens (__hyperion-server_tokens -pc)
    switch $unparsed_tokens[1]
    case 'hyperion-server'
        __hyperion-server_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'run'
            __hyperion-server_parse_subcommand 0 'config=' 'log-level=' 'version' 'h/help'
        case 'keygen'
            __hyperion-server_parse_subcommand 0 'out=' 'version' 'h/help'
        case 'print-firewall'
            __hyperion-server_parse_subcommand 0 'tunnel-port=' 'table=' 'set=' 'set6=' 'version' 'h/help'
        case 'init'
            __hyperion-server_parse_subcommand 0 'salt=' 'admin-key=' 'allow=' 'listen=' 'force' 'version' 'h/help'
        case 'up'
            __hyperion-server_parse_subcommand 0 'config=' 'foreground' 'log-level=' 'version' 'h/help'
        case 'down'
            __hyperion-server_parse_subcommand 0 'version' 'h/help'
        case 'status'
            __hyperion-server_parse_subcommand 0 'config=' 'json' 'version' 'h/help'
        case 'help'
            __hyperion-server_parse_subcommand -r 1 'version'
        end
    end
end

function __hyperion-server_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __hyperion-server_parse_subcommand -S -a positional_count
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

function __hyperion-server_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __hyperion-server_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__hyperion-server_tokens -p)
    if test -z "$(__hyperion-server_tokens -t)"
        set -l index (count (__hyperion-server_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'hyperion-server' -f
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server" version' -l 'version' -d 'Show the version.'
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_positional "hyperion-server" -eq 1' -fa 'run' -d 'Run the server in the foreground: knock sniffer (Linux), tunnel listener and relay.'
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_positional "hyperion-server" -eq 1' -fa 'keygen' -d 'Generate the server\'s static X25519 key pair and print its public key.'
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_positional "hyperion-server" -eq 1' -fa 'print-firewall' -d 'Print the base nftables ruleset (default-drop) for review. It is never applied automatically.'
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_positional "hyperion-server" -eq 1' -fa 'init' -d 'Generate the server key and config in the user config directory (managed mode).'
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_positional "hyperion-server" -eq 1' -fa 'up' -d 'Start the server in the background, as `run` does, with a control socket for status and down.'
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_positional "hyperion-server" -eq 1' -fa 'down' -d 'Stop the server daemon: open streams drain (drain_timeout_ms), then it exits.'
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_positional "hyperion-server" -eq 1' -fa 'status' -d 'Show the server daemon: connected admins (key, address, since, streams, bytes) and knocks by outcome.'
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_positional "hyperion-server" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server run" config' -l 'config' -d 'Server config file (default: server.toml in the user config directory).' -rfka ''
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server run" log-level' -l 'log-level' -d 'trace, debug, info, notice (default), warning, error or critical. Overrides HYPERION_LOG.' -rfka ''
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server run" version' -l 'version' -d 'Show the version.'
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server run" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server keygen" out' -l 'out' -d 'Write the secret key to this new file (mode 0600).' -rfka ''
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server keygen" version' -l 'version' -d 'Show the version.'
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server keygen" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server print-firewall" tunnel-port' -l 'tunnel-port' -d 'The TCP tunnel port to open for knocked addresses.' -rfka ''
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server print-firewall" table' -l 'table' -d 'nftables table name.' -rfka ''
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server print-firewall" set' -l 'set' -d 'nftables set of knocked IPv4 addresses.' -rfka ''
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server print-firewall" set6' -l 'set6' -d 'nftables set of knocked IPv6 addresses.' -rfka ''
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server print-firewall" version' -l 'version' -d 'Show the version.'
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server print-firewall" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server init" salt' -l 'salt' -d 'The shared salt printed by `hyperion-client init`.' -rfka ''
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server init" admin-key' -l 'admin-key' -d 'The admin public key printed by `hyperion-client init`.' -rfka ''
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server init" allow' -l 'allow' -d 'Comma-separated ports the server may dial on its loopback, e.g. 22,5432 (default: none).' -rfka ''
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server init" listen' -l 'listen' -d 'Listen address, ip:port (default 0.0.0.0:8443).' -rfka ''
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server init" force' -l 'force' -d 'Replace an existing config and server key (the admin then needs the new public key).'
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server init" version' -l 'version' -d 'Show the version.'
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server init" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server up" config' -l 'config' -d 'Server config file (default: server.toml in the user config directory).' -rfka ''
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server up" foreground' -l 'foreground' -d 'Run in the current shell instead of detaching (for systemd, or to watch the log).'
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server up" log-level' -l 'log-level' -d 'trace, debug, info, notice (default), warning, error or critical. Overrides HYPERION_LOG.' -rfka ''
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server up" version' -l 'version' -d 'Show the version.'
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server up" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server down" version' -l 'version' -d 'Show the version.'
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server down" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server status" config' -l 'config' -d 'Server config file, for what is shown while the daemon is down (default: server.toml in the user config directory).' -rfka ''
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server status" json' -l 'json' -d 'Print the status as JSON.'
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server status" version' -l 'version' -d 'Show the version.'
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server status" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'hyperion-server' -n '__hyperion-server_should_offer_completions_for_flags_or_options "hyperion-server help" version' -l 'version' -d 'Show the version.'
