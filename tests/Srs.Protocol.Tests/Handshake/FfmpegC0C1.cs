namespace Srs.Protocol.Tests.Handshake;

/// <summary>
/// C0C1 captured from a real ffmpeg 5.1.9 (its native rtmp protocol, not librtmp) connecting over TCP, as
/// player and as publisher (identical bytes: ffmpeg seeds its C1 random with a constant and sends
/// uptime 0). Version field 9.0.124.2, digest in schema 0 at offset 494.
/// </summary>
internal static class FfmpegC0C1
{
    public const int DigestOffset = 494;

    public static byte[] Bytes => Convert.FromBase64String(Base64);

    private const string Base64 =
        "AwAAAAAJAHwC93hVHs6rjh42LwfFhopwsmbUAiDlCGEYoi42l9X8K2Mpwi7nx8mwtbNF36g5j+o7yHkgihBoQlqhF0y1cljP6+JN" +
        "pC7E/52hnHtAbxjJW/3QTuSLb4MyFKR7i/aOsFJU4lrpqai0lsVJb26c18aMtrzIQWnmfz43L/4YbahROGLFr961oSGKhguszdhp" +
        "slPbq4oO+1mkjEQgmYdeVbdP0Hobaa8wPgmYc8t34tnixHQesfUGp/Cylir5H1BRyJCjIJlPTIs2oB+pwPFfS3z3tsOBfaYJGGEd" +
        "OwL/fMlAOJN1N9M4LkFr1XV3g035yvdINSFQzpLQ27QOhx/DZOGLfjVp45h2wa4Mt5/216sy+fARhpyNpBke9G08G8a3LYOBLyJD" +
        "0XUqQSYy1mogdfXTAvRc3yuYuAK3mAXcSDfYTt7RzELLp+7DE3v4bdCy1/Yk1SGj/2Vbzw30EBNB0jDpRlFijkWnq/gYMQHOmB5e" +
        "hqb67Fx5qn7HGB6kWe2WbgyTKm+eS/VUq3sckFzeBU7UDS+4m7/GV1LljP3k8qBNw60eXvT8ZNV7BxwUFGpFH2oEMVbSiA9ZV9eN" +
        "/T/yuID2JKxw8nCU83c06vGST2asPWSK4jKTBUSkQgtl7tRpb39Q/gX8lIUWZQv7m2X5U9hI40VpZdDXa2J6hONendq9i0Pw+tru" +
        "RYzfWevXc5IuCuUH1eZAkukOxn7YQ56PIhx1Op+SFvHLhbUQe8fMfE+yw+7Rr8cJsZL1DeacH/ylZQ77Ujtfq1mXysS371ryv1lz" +
        "5ik7rh/B2kmb5VFQd95N2z9/vNdBcRxit9gDuNBUz1eBgnFNHERb1pK6G4OaCecmb8hdqo+tQz2rvSBs3h6lcXcMa/p5VsJm7oQ1" +
        "6wHKpvWDwNg8M+788/l9uRe9spn4qJ+4hgqxzWRMHoLM4TI6nredJfXcVwtwtAuyAGF0M1PQU27Nq9gvInd1YijLVP5pMsTJvRMN" +
        "K/xwC/XYXaaUbpb4Lgr9jpwgz+q/mmoYm7F7vvU50dnnPulm/LXWvb+YRE3oZb4WBeNAh7NM3wTjr/Vb1BN8Ui0uPHvyY02zJrIq" +
        "R023+KCVKrNRDeVVOWwYo3ioOQtzv/d3L7J2D6V4ajsEWcRaHRsN/0y7tl2g7TTzIRbDwswrlYJREbz7skbBUFqgDJcNBtdsyVDO" +
        "NosiDbIEh8ugK7H8VLNlZ7QpE9a4hQYs13lWAdMaSo5tVkZ/pcUhYmdv1SYSJRPD5H8ubZ1qGcT4eVQxqUztA5Ih0nrGinp3DpMF" +
        "JSJxRZtx0FUFxJd7cOloUSCLrNzffmgrOEiECIDx/sKjL7FAaGK8g8rYmt9ynzum/9P+gI6EA+fGoPbc2jIRiY9vFlBbB4zHi4Db" +
        "YA3tLyAPJf9dyzHTLL4gVri9wxCRYxq70qwo1h/jJIDsUDW7818XM5Pw1Zoh0jALLbS1nqpj/+D5PWXcAoUWkF8iqcff84fE63jG" +
        "MA5+u7KmZjz75amXfK9XZLo/CrpX205gUeCuxuBbG9qmSal4de28QLzEIUu3/vcnMNQ2isvT4Qq0x2QqHFP5PKJtucdmVVvib9/w" +
        "4qchQluVdisLd2/T4+sXMT1TEpyfNAA8maUZaoxqrLbWS1HdmLJ8W1mnC9lBoboDAPt0TPxJnZl+bZM5LSinZ9EW37wsuetAVA0R" +
        "6zBK2TIjhv3Fl9VdPRxnvFTfNUea+xnqLNIE3TMe+0nB4XL2u4n79YIH3K5sEvinWYvvHocsDDXyK0wp3xD5uxrdOuuIerX7OMA2" +
        "uING92HELyld/gtDfftPMKcSdqt9QJzkJJY/nrtPH0flKxh4byebWocib2aYHdbQrRH0mvMQVf9pcQ/aNFfEt4UtsuOTbQd4v4ef" +
        "FzStOiT/sa6VhHYLnLBFKlO6CWL/4vYFr1KDC9IRpUiIlMwLBSJVBIcRzRmFEKnpQ7+Lg5GYRV+9QQcwBdMDmQuI2bY2VtQ8/sjt" +
        "g3SPSw8PxRICFnlLIqBU5bxYq9jEEJYHCIQ5NFPOUJaUr76r4A==";
}
