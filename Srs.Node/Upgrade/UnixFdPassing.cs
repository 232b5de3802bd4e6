using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Srs.Node.Upgrade;

/// <summary>
/// The few Linux system calls .NET has no API for: sendmsg/recvmsg with SCM_RIGHTS (passing open
/// descriptors to another process over a connected Unix socket) and dup3 (pointing a descriptor
/// somewhere else). No unsafe code: the structs are blittable (the marshaller pins them) and the
/// iovec, payload and control buffers live in one Marshal.AllocHGlobal block. Every call waits
/// with poll() and then uses MSG_DONTWAIT, so it behaves the same whether .NET has made the
/// socket non-blocking or not.
/// </summary>
public static class UnixFdPassing
{
    /// <summary>At most this many descriptors in one message (the node has three listeners).</summary>
    public const int MaxFds = 16;

    private const int SolSocket = 1;
    private const int ScmRights = 1;
    private const int SoPeerCred = 17;
    private const int MsgCtrunc = 0x8;
    private const int MsgDontWait = 0x40;
    private const int MsgNoSignal = 0x4000;
    private const int MsgCmsgCloexec = 0x40000000;
    private const int OCloexec = 0x80000;
    private const short PollIn = 0x1;
    private const short PollOut = 0x4;
    private const int EIntr = 4;
    private const int EAgain = 11;

    // struct msghdr, iovec and pollfd as glibc lays them out: sequential with natural alignment
    // (64-bit: 56, 16 and 8 bytes). size_t fields are nuint, pointers nint.
    [StructLayout(LayoutKind.Sequential)]
    private struct MsgHdr
    {
        public nint Name;
        public uint NameLen;
        public nint Iov;
        public nuint IovLen;
        public nint Control;
        public nuint ControlLen;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct PollFd
    {
        public int Fd;
        public short Events;
        public short REvents;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern nint sendmsg(int fd, ref MsgHdr msg, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern nint recvmsg(int fd, ref MsgHdr msg, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int poll([In, Out] PollFd[] fds, nuint count, int timeout);

    [DllImport("libc", SetLastError = true)]
    private static extern int dup3(int oldFd, int newFd, int flags);

    [DllImport("libc", SetLastError = true)]
    private static extern int close(int fd);

    [DllImport("libc")]
    private static extern uint geteuid();

    // cmsghdr: size_t cmsg_len; int cmsg_level; int cmsg_type; then the data, aligned to size_t.
    private static int Align(int n) => (n + IntPtr.Size - 1) & ~(IntPtr.Size - 1);
    private static int CmsgHeader => Align(IntPtr.Size + 8);
    private static int CmsgSpace(int dataBytes) => CmsgHeader + Align(dataBytes);

    /// <summary>The effective user id of this process.</summary>
    public static uint EffectiveUserId => geteuid();

    /// <summary>Whether a peer of <paramref name="uid"/> may use this process's upgrade sockets: the same user, or root.</summary>
    public static bool IsTrusted(uint uid) => uid == EffectiveUserId || uid == 0;

    /// <summary>Pid and uid of the process at the other end of a connected Unix socket (SO_PEERCRED).</summary>
    public static (int Pid, uint Uid) PeerCredentials(Socket unixSocket)
    {
        Span<byte> ucred = stackalloc byte[12]; // struct ucred { pid_t pid; uid_t uid; gid_t gid; }
        unixSocket.GetRawSocketOption(SolSocket, SoPeerCred, ucred);
        return (BitConverter.ToInt32(ucred), BitConverter.ToUInt32(ucred[4..]));
    }

    /// <summary>
    /// Sends <paramref name="payload"/> with copies of <paramref name="handles"/>' descriptors
    /// (SCM_RIGHTS). The kernel duplicates them into the message at this call: closing ours
    /// afterwards does not affect the receiver.
    /// </summary>
    public static void Send(Socket unixSocket, ReadOnlySpan<byte> payload, IReadOnlyList<SafeHandle> handles, TimeSpan timeout)
    {
        if (payload.IsEmpty) throw new ArgumentException("SCM_RIGHTS needs at least one byte of payload", nameof(payload));
        if (handles.Count > MaxFds) throw new ArgumentException($"at most {MaxFds} descriptors", nameof(handles));
        var referenced = new List<SafeHandle>();
        var controlBytes = handles.Count == 0 ? 0 : CmsgSpace(4 * handles.Count);
        var iovBytes = 2 * IntPtr.Size;
        var block = Marshal.AllocHGlobal(iovBytes + payload.Length + controlBytes);
        try
        {
            var data = block + iovBytes;
            Marshal.Copy(payload.ToArray(), 0, data, payload.Length);
            Marshal.WriteIntPtr(block, data);
            Marshal.WriteIntPtr(block, IntPtr.Size, payload.Length);
            var control = data + payload.Length;
            if (handles.Count > 0)
            {
                Marshal.WriteIntPtr(control, CmsgHeader + 4 * handles.Count); // cmsg_len = CMSG_LEN(4n)
                Marshal.WriteInt32(control, IntPtr.Size, SolSocket);
                Marshal.WriteInt32(control, IntPtr.Size + 4, ScmRights);
                for (var i = 0; i < handles.Count; i++)
                {
                    // Held so no concurrent close can reuse the number before the kernel copied it.
                    var added = false;
                    handles[i].DangerousAddRef(ref added);
                    referenced.Add(handles[i]);
                    Marshal.WriteInt32(control, CmsgHeader + 4 * i, (int)handles[i].DangerousGetHandle());
                }
            }
            var msg = new MsgHdr { Iov = block, IovLen = 1, Control = handles.Count > 0 ? control : 0, ControlLen = (nuint)controlBytes };
            var fd = (int)unixSocket.Handle;
            WaitFor(fd, PollOut, timeout);
            nint sent;
            do sent = sendmsg(fd, ref msg, MsgDontWait | MsgNoSignal);
            while (sent < 0 && Marshal.GetLastPInvokeError() == EIntr);
            if (sent < 0) throw new SocketException(Marshal.GetLastPInvokeError());
            if (sent != payload.Length) throw new IOException($"sendmsg sent {sent} of {payload.Length} bytes");
        }
        finally
        {
            foreach (var h in referenced) h.DangerousRelease();
            Marshal.FreeHGlobal(block);
        }
    }

    /// <summary>
    /// Receives one message: its payload and the descriptors it carried (owned by the caller, with
    /// FD_CLOEXEC set). Throws on timeout, on a closed connection, or when descriptors were cut off.
    /// </summary>
    public static (byte[] Payload, int[] Fds) Receive(Socket unixSocket, int maxPayload, TimeSpan timeout)
    {
        var controlBytes = CmsgSpace(4 * MaxFds);
        var iovBytes = 2 * IntPtr.Size;
        var block = Marshal.AllocHGlobal(iovBytes + maxPayload + controlBytes);
        try
        {
            var data = block + iovBytes;
            var control = data + maxPayload;
            Marshal.WriteIntPtr(block, data);
            Marshal.WriteIntPtr(block, IntPtr.Size, maxPayload);
            var msg = new MsgHdr { Iov = block, IovLen = 1, Control = control, ControlLen = (nuint)controlBytes };
            var fd = (int)unixSocket.Handle;
            WaitFor(fd, PollIn, timeout);
            nint got;
            do got = recvmsg(fd, ref msg, MsgDontWait | MsgCmsgCloexec);
            while (got < 0 && Marshal.GetLastPInvokeError() == EIntr);
            if (got < 0) throw new SocketException(Marshal.GetLastPInvokeError());

            var fds = new List<int>();
            var offset = 0;
            while (offset + CmsgHeader <= (int)msg.ControlLen)
            {
                var length = (int)Marshal.ReadIntPtr(control, offset);
                if (length < CmsgHeader) break;
                if (Marshal.ReadInt32(control, offset + IntPtr.Size) == SolSocket && Marshal.ReadInt32(control, offset + IntPtr.Size + 4) == ScmRights)
                    for (var i = 0; i < (length - CmsgHeader) / 4; i++)
                        fds.Add(Marshal.ReadInt32(control, offset + CmsgHeader + 4 * i));
                offset += Align(length);
            }
            if ((msg.Flags & MsgCtrunc) != 0)
            {
                foreach (var f in fds) close(f);
                throw new IOException("descriptors were cut off (MSG_CTRUNC)");
            }
            if (got == 0 && fds.Count == 0) throw new IOException("the connection closed");
            var payload = new byte[(int)got];
            Marshal.Copy(data, payload, 0, payload.Length);
            return (payload, fds.ToArray());
        }
        finally
        {
            Marshal.FreeHGlobal(block);
        }
    }

    /// <summary>Closes a raw descriptor (one received and not wrapped in a Socket).</summary>
    public static void Close(int fd) => close(fd);

    /// <summary>
    /// Points <paramref name="socket"/>'s descriptor at <paramref name="replacement"/>'s open file,
    /// atomically (dup3). The file the descriptor referred to loses this process's reference only;
    /// other processes holding it are unaffected.
    /// </summary>
    public static void Redirect(Socket socket, Socket replacement)
    {
        var added = false;
        socket.SafeHandle.DangerousAddRef(ref added);
        try
        {
            if (dup3((int)replacement.Handle, (int)socket.SafeHandle.DangerousGetHandle(), OCloexec) < 0)
                throw new SocketException(Marshal.GetLastPInvokeError());
        }
        finally
        {
            if (added) socket.SafeHandle.DangerousRelease();
        }
    }

    private static void WaitFor(int fd, short events, TimeSpan timeout)
    {
        var deadline = Environment.TickCount64 + (long)timeout.TotalMilliseconds;
        var fds = new[] { new PollFd { Fd = fd, Events = events } };
        while (true)
        {
            var left = (int)Math.Max(0, deadline - Environment.TickCount64);
            fds[0].REvents = 0;
            var n = poll(fds, 1, left);
            if (n > 0) return; // ready, or an error/hang-up the following call reports
            if (n == 0) throw new TimeoutException($"no answer within {timeout.TotalMilliseconds:F0} ms");
            var errno = Marshal.GetLastPInvokeError();
            if (errno != EIntr && errno != EAgain) throw new SocketException(errno);
        }
    }
}
