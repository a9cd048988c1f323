package dev.fmnist.xai;

/**
 * A cooperative game over {@code players()} players: {@code v(S)} for coalitions S given as masks
 * ({@code true} = the player is in S). The explanation methods play it with segments as players
 * and the model's target-class output of the image with only S visible as the worth (in an {@link OutputSpace})
 * ({@link MaskedScorer}); tests and the accuracy benchmark play known games.
 */
public interface CoalitionGame {
    /** The number of players. */
    int players();

    /** The worth of each coalition, in order; each mask has {@link #players()} entries. */
    double[] values(boolean[][] coalitions);
}
