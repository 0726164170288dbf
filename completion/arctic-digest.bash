# bash completion for arctic-digest(1).  Commands, subcommands and options
# come from the program's own help (its command table), so they never
# disagree with it; subscriber addresses come from the list of the
# configuration given with -c (or the default one).
# Installed as share/bash-completion/completions/arctic-digest.

# The program's help: "help", "help COMMAND" or "help COMMAND SUB".
_arctic_digest_help()
{
    "$_ad_prog" help "$@" 2>/dev/null
}

# The first words of the lines of a help block ("Commands:", "Options:").
_arctic_digest_commands()
{
    _arctic_digest_help "$@" |
        sed -n '/^Commands:$/,/^$/{/^  [a-z]/{s/^  \([a-z][a-z-]*\).*/\1/;p;};}'
}

# The options of a command, short and long, as its help lists them.
_arctic_digest_options()
{
    local line
    _arctic_digest_help "$@" | sed -n '/^Options:$/,/^$/p' |
        while IFS= read -r line; do
            [[ $line =~ ^\ {2,6}(-[A-Za-z]),\ (--[a-z][a-z-]*) ]] &&
                printf '%s\n%s\n' "${BASH_REMATCH[1]}" "${BASH_REMATCH[2]}" &&
                continue
            [[ $line =~ ^\ {2,6}(--[a-z][a-z-]*) ]] &&
                printf '%s\n' "${BASH_REMATCH[1]}"
        done
}

# The argument name of option $1 in a command's help ("DIR", "a|b"), or
# nothing when it takes none.
_arctic_digest_optarg()
{
    local opt=$1 line
    shift
    _arctic_digest_help "$@" | sed -n '/^Options:$/,/^$/p' |
        while IFS= read -r line; do
            if [[ $line =~ ^\ {2,6}(-[A-Za-z],\ )?(--[a-z][a-z-]*)(\ ([^ ]+))? ]]; then
                if [[ $opt == "${BASH_REMATCH[2]}" ||
                      $opt == "${BASH_REMATCH[1]%, }" ]]; then
                    printf '%s\n' "${BASH_REMATCH[4]}"
                    return
                fi
            fi
        done
}

# The addresses in the subscriber list.
_arctic_digest_addresses()
{
    "$_ad_prog" ${_ad_conf:+-c "$_ad_conf"} -q subscribers list 2>/dev/null |
        cut -f1
}

_arctic_digest()
{
    local cur=${COMP_WORDS[COMP_CWORD]}
    local prev=${COMP_WORDS[COMP_CWORD-1]}
    local _ad_prog=${COMP_WORDS[0]} _ad_conf=
    local cmd= sub= i w arg npos=0
    local -a path=()

    COMPREPLY=()
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if [[ -z $cmd ]]; then
            case $w in
            -c | --config) _ad_conf=${COMP_WORDS[i + 1]}; ((i++)); continue ;;
            --now) ((i++)); continue ;;
            -*) continue ;;
            esac
            cmd=$w
        elif [[ $w != -* ]]; then
            ((npos++))
            [[ $npos -eq 1 && ( $cmd == subscribers || $cmd == help ) ]] &&
                sub=$w
        fi
    done

    if [[ -z $cmd ]]; then
        case $prev in
        -c | --config) COMPREPLY=($(compgen -f -- "$cur")); return ;;
        --now) return ;;
        esac
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$(_arctic_digest_help |
                sed -n '/^Options:$/,/^$/p' |
                grep -oE -- '^ {2,6}(-[A-Za-z], )?--?[a-z][a-z-]*' |
                tr ', ' '\n\n')" -- "$cur"))
        else
            COMPREPLY=($(compgen -W "$(_arctic_digest_commands)" -- "$cur"))
        fi
        return
    fi

    if [[ $cmd == help ]]; then
        if [[ $cur == -* ]]; then
            COMPREPLY=($(compgen -W "$(_arctic_digest_options help)" -- "$cur"))
        elif [[ $npos -eq 0 ]]; then
            COMPREPLY=($(compgen -W "$(_arctic_digest_commands)" -- "$cur"))
        elif [[ $npos -eq 1 && $sub == subscribers ]]; then
            COMPREPLY=($(compgen -W "$(_arctic_digest_commands subscribers)" -- "$cur"))
        fi
        return
    fi

    path=("$cmd")
    if [[ $cmd == subscribers ]]; then
        if [[ -z $sub ]]; then
            COMPREPLY=($(compgen -W "$(_arctic_digest_commands subscribers)" -- "$cur"))
            return
        fi
        path+=("$sub")
    fi

    if [[ $prev == -* ]]; then
        arg=$(_arctic_digest_optarg "$prev" "${path[@]}")
        if [[ -n $arg ]]; then
            case $arg in
            TOKEN*) ;;
            *ADDR*) COMPREPLY=($(compgen -W "$(_arctic_digest_addresses)" -- "$cur")) ;;
            DIR) COMPREPLY=($(compgen -d -- "$cur")) ;;
            S) [[ $prev == --status ]] &&
                COMPREPLY=($(compgen -W "active unsubscribed bounced pending" -- "$cur")) ;;
            *\|*) COMPREPLY=($(compgen -W "${arg//|/ }" -- "$cur")) ;;
            *) COMPREPLY=($(compgen -f -- "$cur")) ;;
            esac
            return
        fi
    fi

    if [[ $cur == -* ]]; then
        COMPREPLY=($(compgen -W "$(_arctic_digest_options "${path[@]}")" -- "$cur"))
        return
    fi
    case $sub in
    remove | unsubscribe | resubscribe | token)
        COMPREPLY=($(compgen -W "$(_arctic_digest_addresses)" -- "$cur")) ;;
    add | subscribe | confirm) ;;
    *) COMPREPLY=($(compgen -f -- "$cur")) ;;
    esac
}

complete -F _arctic_digest arctic-digest
