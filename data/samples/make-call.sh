#!/usr/bin/env bash
# Builds call.wav, the sample recording `./dev run` analyses: an outgoing call as a line recorder
# hears it — dial tone, the number 5551234 dialled with uneven timing, ringback, the called IVR
# speaking ("Hello world", Allison Smith, CC-BY-SA-3.0, from Debian's asterisk-core-sounds-en-wav),
# the caller keying 1 and #, then hang-up — over a -50 dBm0 noise floor, 8 kHz 16-bit mono.
# Every tone is made by sox from the published numbers (North America: dial 350+440 Hz at -13 dBm0,
# ringback 440+480 Hz at -19 dBm0 2 s on/4 s off shortened to one cycle; DTMF low -10, high -8 dBm0),
# independently of linedsp's own generators. Needs sox; -D stops sox from dithering.
set -euo pipefail
cd "$(dirname "$0")"
SPEECH=/usr/share/asterisk/sounds/en_US_f_Allison/hello-world.wav
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
n=0
# gain for a sine at L dBm0: peak = 32768 * 10^((L - 3.17) / 20), as a fraction of full scale
gain() { awk -v l="$1" 'BEGIN { printf "%.6f", 10 ^ ((l - 3.17) / 20) }'; }
next_piece() { n=$((n + 1)); out=$(printf '%s/%03d.wav' "$tmp" "$n"); }
silence() { next_piece; sox -D -n -r 8000 -b 16 -c 1 -e signed "$out" trim 0 "$1"; }
tones() {  # duration f1 level1 f2 level2
  local a="$tmp/a.wav" b="$tmp/b.wav"
  sox -D -n -r 8000 -b 16 -c 1 -e signed "$a" synth "$1" sine "$2" vol "$(gain "$3")"
  sox -D -n -r 8000 -b 16 -c 1 -e signed "$b" synth "$1" sine "$4" vol "$(gain "$5")"
  next_piece
  sox -D -m -v 1 "$a" -v 1 "$b" "$out"
}
digit() {  # digit on-seconds off-seconds
  local lo hi
  case $1 in
    1) lo=697 hi=1209 ;; 2) lo=697 hi=1336 ;; 3) lo=697 hi=1477 ;; 4) lo=770 hi=1209 ;; 5) lo=770 hi=1336 ;;
    6) lo=770 hi=1477 ;; 7) lo=852 hi=1209 ;; 8) lo=852 hi=1336 ;; 9) lo=852 hi=1477 ;; 0) lo=941 hi=1336 ;;
    '*') lo=941 hi=1209 ;; '#') lo=941 hi=1477 ;;
  esac
  tones "$2" "$lo" -10 "$hi" -8
  silence "$3"
}
silence 0.4
tones 1.2 350 -13 440 -13                     # dial tone, stopped by the first digit
digit 5 0.070 0.090; digit 5 0.060 0.110; digit 5 0.095 0.080; digit 1 0.080 0.250
digit 2 0.120 0.085; digit 3 0.065 0.075; digit 4 0.090 0.600
tones 2.0 440 -19 480 -19                     # ringback, one cycle
silence 1.2
next_piece
sox -D "$SPEECH" -r 8000 -b 16 -c 1 -e signed "$out" vol 0.7
silence 0.8
digit 1 0.100 0.400; digit '#' 0.080 1.000
sox -D "$tmp"/[0-9]*.wav "$tmp/line.wav"
len=$(soxi -D "$tmp/line.wav")
sox -D -n -r 8000 -b 16 -c 1 -e signed "$tmp/noise.wav" synth "$len" whitenoise vol "$(gain -50)"
sox -D -m -v 1 "$tmp/line.wav" -v 1 "$tmp/noise.wav" -b 16 call.wav
echo "call.wav: $(soxi -D call.wav) s; digits 5551234 then 1#"
