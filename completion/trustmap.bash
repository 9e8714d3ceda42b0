# bash completion for trustmap and kubectl-trustmap (installed by make install).
# Everything offered comes from trustmap itself (`trustmap __complete`, made
# from the command and option tables): commands, each command's options,
# formats, and the endpoint names of the manifests given on the line.

# the values an option's argument takes, by its name in the option table
_trustmap_values() { # CMD ARG
	local cmd=$1 arg=$2
	case $arg in
	FMT) trustmap __complete formats "$cmd" 2>/dev/null ;;
	*'|'*) printf '%s\n' ${arg//|/ } ;;
	SEVERITY) printf '%s\n' info low medium high critical ;;
	'ENDPOINT[,...]') _trustmap_endpoints ;;
	esac
}

# ns/name of every workload in the paths already on the line
_trustmap_endpoints() {
	local w paths=()
	for w in "${COMP_WORDS[@]:2}"; do
		[ -e "$w" ] && paths+=("$w")
	done
	[ ${#paths[@]} -gt 0 ] && trustmap __complete endpoints "${paths[@]}" 2>/dev/null
}

_trustmap() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD - 1]}
	local cmd="" i
	for ((i = 1; i < COMP_CWORD; i++)); do
		case ${COMP_WORDS[i]} in
		-*) ;;
		*) cmd=${COMP_WORDS[i]}; break ;;
		esac
	done
	if [ -z "$cmd" ]; then
		COMPREPLY=($(compgen -W "$(trustmap __complete commands 2>/dev/null | cut -f1) --help --version" -- "$cur"))
		return
	fi
	local opts arg
	opts=$(trustmap __complete options "$cmd" 2>/dev/null)
	arg=$(printf '%s\n' "$opts" | awk -F '\t' -v o="$prev" '$1 == o { print $2; exit }')
	if [ -n "$arg" ]; then
		case $arg in
		FILE | BYTES | N | SEC | NAME | 'NS[,...]' | '[PROTO/]PORT') COMPREPLY=($(compgen -f -- "$cur")) ;;
		DIR) COMPREPLY=($(compgen -d -- "$cur")) ;;
		*) COMPREPLY=($(compgen -W "$(_trustmap_values "$cmd" "$arg")" -- "$cur")) ;;
		esac
		[ "$arg" = FILE ] && compopt -o filenames 2>/dev/null
		return
	fi
	if [[ $cur == -* ]]; then
		COMPREPLY=($(compgen -W "$(printf '%s\n' "$opts" | cut -f1)" -- "$cur"))
		return
	fi
	# positional: SRC and DST of explain and reach are endpoints; paths otherwise
	case $cmd in
	explain | reach) COMPREPLY=($(compgen -W "$(_trustmap_endpoints)" -- "$cur")) ;;
	esac
	COMPREPLY+=($(compgen -f -- "$cur"))
	compopt -o filenames 2>/dev/null
}
complete -F _trustmap trustmap
complete -F _trustmap kubectl-trustmap
