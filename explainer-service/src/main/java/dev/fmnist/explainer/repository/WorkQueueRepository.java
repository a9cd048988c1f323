package dev.fmnist.explainer.repository;

import dev.fmnist.common.messaging.ModelRef;
import dev.fmnist.explainer.domain.ExplanationKey;
import dev.fmnist.explainer.domain.ExplanationStatus;
import dev.fmnist.explainer.domain.StoredExplanation;
import dev.fmnist.explainer.domain.WorkItem;
import dev.fmnist.xai.Attribution;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The durable explanation work queue, {@code xai.explanation_work} (V3): what the workers of {@link
 * dev.fmnist.explainer.service.ExplanationWorkers} claim, finish and announce. Items are added with their
 * predictions by {@link XaiWriteRepository#storeBatch}.
 *
 * <p>A claim is one short statement: the first unfinished item (requested before sampled, then in arrival
 * order) whose lease is free or ran out, {@code FOR UPDATE SKIP LOCKED} so that concurrent workers (of this
 * or other instances) never take the same one, gets this worker's name, a lease and one more attempt. A
 * worker that dies (kill -9) holds no lock and no connection: its item is taken again when the lease runs
 * out. Finishing stores the explanation and moves the item on in one transaction; the explanation's unique
 * key makes a retaken item find the row its first worker stored instead of storing a second one.
 */
@ApplicationScoped
public class WorkQueueRepository {
    private final DataSource dataSource;

    public WorkQueueRepository(DataSource dataSource) {
        this.dataSource = dataSource;
    }

    /** Takes the next free item for {@code worker} under a lease of {@code lease}, or nothing when none is free. */
    public Optional<WorkItem.Claimed> claim(String worker, Duration lease) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                WITH next AS (
                  SELECT id FROM xai.explanation_work
                  WHERE state <> 'done' AND (lease_until IS NULL OR lease_until < now())
                  ORDER BY priority, id
                  LIMIT 1
                  FOR UPDATE SKIP LOCKED)
                UPDATE xai.explanation_work w
                SET claimed_by = ?, lease_until = now() + make_interval(secs => ?), attempts = w.attempts + 1
                FROM next, xai.prediction p
                WHERE w.id = next.id AND p.request_id = w.request_id AND p.model_name = w.model_name
                  AND p.model_version = w.model_version
                RETURNING w.id, w.request_id, w.model_name, w.model_version, w.method, w.reason, w.traceparent, w.state,
                  (SELECT e.id FROM xai.explanation e WHERE e.request_id = w.request_id AND e.model_name = w.model_name
                     AND e.model_version = w.model_version AND e.method = w.method),
                  (SELECT e.status FROM xai.explanation e WHERE e.request_id = w.request_id AND e.model_name = w.model_name
                     AND e.model_version = w.model_version AND e.method = w.method),
                  w.attempts, w.queued_at, p.label, p.scored_at, p.image""")) {
            ps.setString(1, worker);
            ps.setDouble(2, lease.toMillis() / 1000.0);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                long storedId = rs.getLong(9);
                boolean stored = !rs.wasNull();
                String storedStatus = rs.getString(10);
                return Optional.of(new WorkItem.Claimed(rs.getLong(1),
                        new ExplanationKey(rs.getString(2), new ModelRef(rs.getString(3), rs.getInt(4)), rs.getString(5)),
                        rs.getString(6), rs.getString(7), WorkItem.State.ofColumn(rs.getString(8)),
                        stored ? storedId : null, stored ? ExplanationStatus.ofColumn(storedStatus) : null,
                        rs.getInt(11), worker, rs.getTimestamp(12).toInstant(), rs.getShort(13),
                        rs.getTimestamp(14).toInstant(), rs.getBytes(15)));
            }
        }
    }

    /** What {@link #finish} did: the explanation row (new or found), and whether the item was still this worker's. */
    public record Finished(StoredExplanation stored, boolean owned) {
    }

    /**
     * In one transaction: stores the explanation (a succeeded one with {@code a}, a failed one with {@code
     * error}; nothing when its key is stored already, whose row is returned) and moves the item on: to
     * {@code announcing} when the stored explanation succeeded (it is announced next, then done), else to
     * {@code done} with outcome {@code failed}. The item moves only while the claim is still this worker's.
     */
    public Finished finish(WorkItem.Claimed item, Attribution a, String error, Duration announceLease)
            throws SQLException {
        try (Connection c = dataSource.getConnection()) {
            boolean auto = c.getAutoCommit();
            c.setAutoCommit(false);
            try {
                StoredExplanation stored = item.stored() != null ? item.stored()
                        : XaiWriteRepository.insertExplanation(c, item.key(), item.reason(), item.label(), a, error);
                boolean owned = moveOn(c, item, stored, announceLease);
                c.commit();
                return new Finished(stored, owned);
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(auto);
            }
        }
    }

    private static boolean moveOn(Connection c, WorkItem.Claimed item, StoredExplanation stored, Duration lease)
            throws SQLException {
        boolean succeeded = stored.status() == ExplanationStatus.SUCCEEDED;
        try (PreparedStatement ps = c.prepareStatement("""
                UPDATE xai.explanation_work
                SET state = ?, outcome = ?, explanation_id = ?, finished_at = now(),
                    lease_until = CASE WHEN ? THEN now() + make_interval(secs => ?) END
                WHERE id = ? AND state = 'queued' AND claimed_by = ? AND attempts = ?""")) {
            ps.setString(1, succeeded ? WorkItem.State.ANNOUNCING.column() : WorkItem.State.DONE.column());
            ps.setString(2, succeeded ? null : "failed");
            ps.setLong(3, stored.id());
            ps.setBoolean(4, succeeded);
            ps.setDouble(5, lease.toMillis() / 1000.0);
            ps.setLong(6, item.id());
            ps.setString(7, item.claimedBy());
            ps.setInt(8, item.attempts());
            return ps.executeUpdate() == 1;
        }
    }

    /** The item's explanation was announced (the broker acknowledged it): done, outcome succeeded. */
    public void announced(long id) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                UPDATE xai.explanation_work SET state = 'done', outcome = 'succeeded', lease_until = NULL
                WHERE id = ? AND state = 'announcing'""")) {
            ps.setLong(1, id);
            ps.executeUpdate();
        }
    }

    /** A sampled item too old when its turn came: done, outcome shed (while the claim is still this worker's). */
    public boolean shed(WorkItem.Claimed item) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                UPDATE xai.explanation_work SET state = 'done', outcome = 'shed', finished_at = now(), lease_until = NULL
                WHERE id = ? AND state = 'queued' AND claimed_by = ? AND attempts = ?""")) {
            ps.setLong(1, item.id());
            ps.setString(2, item.claimedBy());
            ps.setInt(3, item.attempts());
            return ps.executeUpdate() == 1;
        }
    }

    /** Gives an item back, free again after {@code delay} (zero: at once), while the claim is still this worker's. */
    public void release(WorkItem.Claimed item, Duration delay) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                UPDATE xai.explanation_work SET lease_until = now() + make_interval(secs => ?)
                WHERE id = ? AND claimed_by = ? AND attempts = ? AND state <> 'done'""")) {
            ps.setDouble(1, delay.toMillis() / 1000.0);
            ps.setLong(2, item.id());
            ps.setString(3, item.claimedBy());
            ps.setInt(4, item.attempts());
            ps.executeUpdate();
        }
    }

    /** Heartbeat: extends the leases of the items {@code worker} is working on. Returns the leases extended. */
    public int extend(String worker, Collection<Long> ids, Duration lease) throws SQLException {
        if (ids.isEmpty()) {
            return 0;
        }
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                UPDATE xai.explanation_work SET lease_until = now() + make_interval(secs => ?)
                WHERE id = ANY (?) AND claimed_by = ? AND state <> 'done'""")) {
            ps.setDouble(1, lease.toMillis() / 1000.0);
            ps.setArray(2, c.createArrayOf("bigint", ids.toArray()));
            ps.setString(3, worker);
            return ps.executeUpdate();
        }
    }

    /** The backlog of all instances: queued items (leased ones among them), the oldest one's age, items announcing. */
    public WorkItem.Backlog backlog() throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                SELECT count(*) FILTER (WHERE state = 'queued'),
                       count(*) FILTER (WHERE state = 'queued' AND lease_until > now()),
                       coalesce(extract(epoch FROM now() - min(queued_at) FILTER (WHERE state = 'queued')), 0),
                       count(*) FILTER (WHERE state = 'announcing')
                FROM xai.explanation_work WHERE state <> 'done'""");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            return new WorkItem.Backlog(rs.getLong(1), rs.getLong(2), Math.max(0, rs.getDouble(3)), rs.getLong(4));
        }
    }

    /** Deletes done items finished more than {@code retention} ago. Returns how many. */
    public int purge(Duration retention) throws SQLException {
        try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement("""
                DELETE FROM xai.explanation_work
                WHERE state = 'done' AND finished_at < now() - make_interval(secs => ?)""")) {
            ps.setDouble(1, retention.toMillis() / 1000.0);
            return ps.executeUpdate();
        }
    }
}
