#!/usr/bin/env bash
# Builds data/samples/call.wav, a recorded-call-like sample for `linedsp detect` (8 kHz mono 16-bit WAV),
# from sox commands only (nothing from linedsp, so the sample is an independent test signal):
#
#   t (s)        what                                               levels
#   0.00-0.40    line noise only (handset just lifted)              pink noise, about -62 dBm0 RMS
#   0.40-1.90    US dial tone, 350 + 440 Hz continuous (stops at the first digit)        -13 dBm0 each
#   1.90-...     DTMF 5551234 with human timing: tones 65-110 ms, pauses 60-420 ms, level -7/-5 dBm0
#                (high group 2 dB above low, as telephone sets send), the second 5 a little quieter
#   ...          0.8 s of line noise, then US ringback 440 + 480 Hz, 2 s on / 4 s off, -19 dBm0 each;
#                answered 1.2 s into the second ring
#   ...          answered: 0.5 s, "hello" and a voicemail greeting (Allison Smith, asterisk-core-sounds-en-wav,
#                CC-BY-SA-3.0), 0.6 s of noise after it
#   everything   passes a mu-law round trip (as a digital line would) with the noise under it
#
# Needs: sox, asterisk-core-sounds-en-wav. Deterministic: sox -R (repeatable random numbers), no dither.
# Run from anywhere: data/samples/make-call.sh [OUT] (default: call.wav beside this script).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=${1:-$here/call.wav}
sounds=${ALLISON_DIR:-/usr/share/asterisk/sounds/en_US_f_Allison}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

S=(sox -R -D -V1)            # repeatable noise, no dither, quiet
F=(-r 8000 -c 1 -b 16 -e signed-integer)
n=0
next_piece() { n=$((n + 1)); P=$(printf '%s/%03d.wav' "$tmp" "$n"); }  # sets P (no subshell: n must count)

# silence of $1 seconds
gap() { next_piece; "${S[@]}" -n "${F[@]}" "$P" trim 0 "$1"; }
calc() { awk "BEGIN { print $1 }"; }  # arithmetic without bc
# two tones: seconds f1 f2 level1_dbm0 level2_dbm0 (a full-scale sine is +3.17 dBm0)
pair() {
  local a="$tmp/a.wav" b="$tmp/b.wav"
  "${S[@]}" -n "${F[@]}" "$a" synth "$1" sine "$2" gain "$(calc "$4 - 3.17")"
  "${S[@]}" -n "${F[@]}" "$b" synth "$1" sine "$3" gain "$(calc "$5 - 3.17")"
  next_piece
  "${S[@]}" -m -v 1 "$a" -v 1 "$b" "${F[@]}" "$P"   # -m with -v 1: a plain sum, no scaling down
}
declare -A LOW=([1]=697 [2]=697 [3]=697 [4]=770 [5]=770 [6]=770 [7]=852 [8]=852 [9]=852 [0]=941)
declare -A HIGH=([1]=1209 [2]=1336 [3]=1477 [4]=1209 [5]=1336 [6]=1477 [7]=1209 [8]=1336 [9]=1477 [0]=1336)
digit() {  # digit on_s off_s [level_offset_db]
  local d=$1 off=${4:-0}
  pair "$2" "${LOW[$d]}" "${HIGH[$d]}" "$(calc "-7 + $off")" "$(calc "-5 + $off")"
  gap "$3"
}

gap 0.40
pair 1.50 350 440 -13 -13                     # dial tone
digit 5 0.095 0.210
digit 5 0.070 0.160 -4
digit 5 0.110 0.420
digit 1 0.080 0.090
digit 2 0.065 0.060
digit 3 0.085 0.300
digit 4 0.100 0.800
pair 2.0 440 480 -19 -19; gap 4.0             # ringback, ring 1
pair 1.2 440 480 -19 -19; gap 0.5             # ring 2, answered 1.2 s into it
next_piece; "${S[@]}" "$sounds/hello.wav" "${F[@]}" "$P"
gap 0.35
next_piece; "${S[@]}" "$sounds/vm-intro.wav" "${F[@]}" "$P"
gap 0.6

"${S[@]}" "$tmp"/0*.wav "${F[@]}" "$tmp/clean.wav"
len=$(soxi -D "$tmp/clean.wav")
# Line noise: pink noise at about -62 dBm0 (-68 dBFS RMS), band-limited to the telephone channel.
"${S[@]}" -n "${F[@]}" "$tmp/noise.wav" synth "$len" pinknoise gain -50 sinc 200-3400
"${S[@]}" -m -v 1 "$tmp/clean.wav" -v 1 "$tmp/noise.wav" "${F[@]}" "$tmp/mixed.wav"
# A mu-law round trip, as on a digital trunk.
"${S[@]}" "$tmp/mixed.wav" -r 8000 -c 1 -e u-law "$tmp/mixed.ul.wav"
"${S[@]}" "$tmp/mixed.ul.wav" "${F[@]}" "$out"
echo "$out: $(soxi -D "$out") s"
