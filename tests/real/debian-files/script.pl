# perl: regexps, hashes, sort, sprintf, core modules (List::Util, POSIX, Storable, Encode, Digest), fork, threads
use strict; use warnings;
use List::Util qw(sum max first reduce);
use POSIX qw(floor ceil fmod strftime);
use Data::Dumper; $Data::Dumper::Sortkeys = 1;
use Storable qw(freeze thaw dclone); use Encode qw(encode decode); use Digest::SHA qw(sha256_hex); use Digest::MD5 qw(md5_hex);
use MIME::Base64; use Compress::Zlib; use Text::Wrap; use Getopt::Long; use Socket; use IO::Handle;
use File::Temp qw(tempdir); use File::Find; use File::Path qw(make_path); use Fcntl qw(:flock SEEK_SET);
use threads; use threads::shared; use Thread::Queue;
my @w = map { my $x = $_; join '', map { chr(97 + ($x * $_ * 7919) % 26) } 1..(3 + $x % 5) } 1..2000;
my %h; $h{$_}++ for @w;
my @top = (sort { $h{$b} <=> $h{$a} || $a cmp $b } keys %h)[0..4];
print "top: @top\n";
print "sum=", sum(1..1000), " max=", max(map { length } @w), " first=", (first { /^q/ } @w), "\n";
print "fact20=", (reduce { $a * $b } 1..20), "\n";
printf "%.6f %e %08.3f %x %o %b %s\n", atan2(1, 1) * 4, 1e-5 / 3, -3.14159, 3735928559, 511, 1023,
  floor(-2.5) . "/" . ceil(2.1) . "/" . fmod(10, 3);
my $text = "The quick brown fox jumps over the lazy dog 12 times, 345 ways";
my @nums = $text =~ /(\d+)/g; print "nums=@nums\n";
(my $t2 = $text) =~ s/(\w+)/\u\L$1/g; print "$t2\n";
print "tr=", ($text =~ tr/a-z//), "\n";
my %cnt; $cnt{lc $_}++ for $text =~ /([aeiou])/gi; print join(",", map {"$_=$cnt{$_}"} sort keys %cnt), "\n";
print strftime("%Y-%m-%d %H:%M:%S %j", gmtime(1700000000)), " ", scalar(gmtime(0)), "\n";
print join("|", map { sprintf "%03d", $_ } grep { $_ % 7 == 0 } 1..50), "\n";
print Dumper({a => [1, 2, {b => 'c'}], d => \"e"});
my @sorted = sort { $a <=> $b } map { ($_ * 7919) % 1009 } 1..500; print "sorted: @sorted[0..9]\n";
my $str = join "", map { chr(65 + $_ % 26) } 1..100000; my $n = () = $str =~ /(?=ABC)/g; print "overlap $n\n";
eval { die { code => 42 } }; print "eval: $@->{code}\n";
print "pack: ", unpack("H*", pack("NnC", 0xdeadbeef, 513, 7)), "\n";
my $big = 0; $big += $_ ** 2 for 1..100000; print "big=$big\n";
print "sprintf: ", sprintf("%.15g %g %g %.0f %.0f", 0.1 + 0.2, 1e21, 1/3, 0.5, 1.5), " ", -17 % 5, " ", 2**64, "\n";
my $d = dclone({a => [1..5], b => {c => "d"}}); print "storable ", thaw(freeze($d))->{a}[4], "\n";
my $bytes = encode("UTF-8", "\x{263A}caf\x{e9}"); print "encode ", length($bytes), " ", length(decode("UTF-8", $bytes)), "\n";
print "digests ", sha256_hex("abc"), " ", md5_hex("abc"), "\n";
print "b64 ", encode_base64("mimic emulator"), "zlib ", length(compress("x" x 10000)), " ", uncompress(compress("round")), "\n";
$Text::Wrap::columns = 20; print wrap("", "  ", "the quick brown fox jumps over the lazy dog"), "\n";
local @ARGV = ("--num=5", "--name", "x", "rest"); GetOptions("num=i" => \my $num, "name=s" => \my $name); print "getopt $num $name @ARGV\n";
socketpair(my $sa, my $sb, AF_UNIX, SOCK_STREAM, PF_UNSPEC) or die; $sa->autoflush(1); print $sa "over socketpair\n"; my $l = <$sb>; print $l;
my $pid = open(my $p, '-|') // die "fork: $!"; if ($pid == 0) { print "child says hi\n"; exit 0 } my $c = <$p>; close $p; print "from child: $c";
if (my $k = fork) { waitpid $k, 0; print "child rc ", $? >> 8, "\n" } else { exit 6 }
my $dir = tempdir(CLEANUP => 1); make_path("$dir/a/b/c");
for my $f (qw(a/1 a/b/2 a/b/c/3)) { open my $fh, ">", "$dir/$f" or die; print $fh "x" x length $f; close $fh }
my @found; find(sub { push @found, $File::Find::name =~ s/^\Q$dir\E//r if -f }, $dir); print "find ", join(" ", sort @found), "\n";
open my $fh, "+>", "$dir/lock" or die; flock($fh, LOCK_EX) or die; print $fh "locked"; seek $fh, 0, SEEK_SET; print "flock ", scalar(<$fh>), "\n";
my $cnt :shared = 0; my $q = Thread::Queue->new;
my @t = map { threads->create(sub { my $id = shift; my $s = 0; $s += $_ for 1..50000; { lock($cnt); $cnt += $id; } $q->enqueue("$id:$s"); return $s }, $_) } 1..3;
my @r = map { $_->join } @t; $q->end; my @m; while (defined(my $x = $q->dequeue)) { push @m, $x }
print "threads @r cnt=$cnt ", join(",", sort @m), "\n";
local $SIG{ALRM} = sub { print "alarm\n" }; alarm 1; sleep 2;
my $bt = `echo backtick`; print $bt;
print "done\n"; exit 3;
