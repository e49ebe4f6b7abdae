# bash: functions, arrays, arithmetic, expansions, pipes, subshells, here-docs, traps, wait, coprocs
set -u
declare -a arr=(zeta alpha "gamma delta" beta)
declare -A map=([one]=1 [two]=2 [three]=3)
fib() { local n=$1; if (( n < 2 )); then echo "$n"; else echo $(( $(fib $((n - 1))) + $(fib $((n - 2))) )); fi; }
echo "fib: $(fib 9)"
echo "count=${#arr[@]} second=${arr[1]} slice=${arr[*]:1:2}"
total=0; for k in "${!map[@]}"; do (( total += map[$k] )); done; echo "total=$total"
printf '%s\n' "${!map[@]}" | sort | tr '\n' ' '; echo
s="Hello, World"; echo "${s,,} ${s^^} ${s/World/bash} ${s:7} ${#s} ${s%,*} ${s#*, }"
printf '%05d|%-6s|%x|%o|%e|%.3f|%q\n' 42 ab 255 8 12345.678 3.14159 'a b'
echo "arith=$(( (17 * 23) % 7 + 2 ** 10 - (100 / 7) )) $((0x1f)) $((8#17)) $((-7 / 2)) $((-7 % 2)) $((1 << 40)) $(( 2**62 * 2 ))"
cat <<END | while read -r a b; do echo "[$b:$a]"; done
one 1
two 2
END
( cd /; echo "subshell pwd=$PWD"; exit 3 ); echo "subshell rc=$?"
echo "pipe: $(echo abc | { read -r v; echo "got $v"; })"
trap 'echo "trap EXIT ran"' EXIT
trap 'echo "got USR1"' USR1
kill -USR1 $$
f() { return 5; }; f; echo "f rc=$?"
{ sleep 0.1; echo bg1 > bg1.out; } & p1=$!
{ echo bg2 > bg2.out; exit 4; } & p2=$!
wait $p1; echo "wait1=$?"; wait $p2; echo "wait2=$?"; cat bg1.out bg2.out
sleep 0.2 & sleep 0.05 & wait -n; echo "wait-n=$?"; wait
# (the child says when its own signal handling is set up: until then a SIGTERM would run the
# parent's EXIT trap in it, in bash as on any kernel)
mkfifo ready; ( echo > ready; exec sleep 5 ) & p=$!; read -r _ < ready
kill -STOP $p; kill -0 $p && echo stopped-alive; kill -CONT $p; kill -TERM $p; wait $p; echo "term rc=$?"
( trap 'echo in-int; exit 9' INT; kill -INT $BASHPID; sleep 1 ); echo "int rc=$?"
coproc C { read -r l; echo "co:$l"; }; echo ping >&"${C[1]}"; read -r resp <&"${C[0]}"; echo "$resp"; wait
mapfile -t lines < <(for i in 1 2 3; do echo "line$i"; done); echo "mapfile ${#lines[@]} ${lines[2]}"
echo "procsubst: $(cat <(echo a) <(echo b) | tr '\n' ,)"
read -r -t 0.1 v < <(sleep 1; echo late); echo "read-t rc=$?"
[[ "abc123" =~ ^([a-z]+)([0-9]+)$ ]] && echo "re ${BASH_REMATCH[1]} ${BASH_REMATCH[2]}"
case "foo.tar.gz" in *.tar.gz) echo case-tgz;; *) echo other;; esac
set +u; echo "default=${nope:-dflt}"
exec 3> fd3.txt; echo "to fd3" >&3; exec 3>&-; read -r r < fd3.txt; echo "$r"
exec {fd}>/dev/null; echo "fd>=10: $(( fd >= 10 ))"; exec {fd}>&-
i=0; while :; do (( i++ )); (( i >= 5 )) && break; done; echo "i=$i"
shopt -s extglob; v=aaabbb; echo "${v##+(a)}"
shopt -s globstar nullglob; mkdir -p g/a/b; touch g/a/b/x.txt g/y.txt; echo g/**/*.txt
printf -v pv '%s-%s' x y; echo "$pv"
declare -i n=7; n+=3; echo "n=$n"; declare -p arr
read -ra parts <<< "a b  c"; echo "${#parts[@]}"
a=(); for i in {1..1000}; do a+=($((i * i))); done; echo "${#a[@]} ${a[999]}"
declare -A big; for i in {1..2000}; do big[k$i]=$i; done; echo "${#big[@]} ${big[k1999]}"
command -v printf; type -t cd; type -t ls
echo "sum=$(( $(seq 1 5 | paste -sd+) ))"
echo "done"; exit 7
